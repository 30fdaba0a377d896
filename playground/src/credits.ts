/** @module credits: micro-credits (the API's integer unit) written as credits, without floating-point rounding. */
import { type AccountView, microCreditsPerCredit } from "@stochedit/shared";

const fractionDigits = String(microCreditsPerCredit).length - 1;

/** 34_200 -> "0.0342 credits", 2_000_000 -> "2 credits". */
export function formatCredits(microCredits: number): string {
  const whole = Math.floor(microCredits / microCreditsPerCredit);
  const fraction = String(microCredits % microCreditsPerCredit)
    .padStart(fractionDigits, "0")
    .replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""} credit${microCredits === microCreditsPerCredit ? "" : "s"}`;
}

/** 12_500_000 available, 34_200 held -> "Balance: 12.5 credits (0.0342 credits held)". */
export function balanceText(account: Pick<AccountView, "balance" | "held">): string {
  const held = account.held === 0 ? "" : ` (${formatCredits(account.held)} held)`;
  return `Balance: ${formatCredits(account.balance)}${held}`;
}
