/** @module credits: the balance line's words (amounts written by the shared formatCredits, as everywhere else). */
import { type AccountView, formatCredits } from "@stochedit/shared";

/** 12_500_000 available, 34_200 held -> "Balance: 12.5 credits (12500000 micro-credits); held: 0.0342 credits (...)". */
export function balanceText(account: Pick<AccountView, "balance" | "held">): string {
  const held = account.held === 0 ? "" : `; held: ${formatCredits(account.held)}`;
  return `Balance: ${formatCredits(account.balance)}${held}`;
}
