/** @module balance-line: the account's available and held credits, asked again whenever an edit may change them. */
import type { StocheditClient } from "@stochedit/client";
import { describeError } from "./api-errors.js";
import { balanceText } from "./credits.js";

export class BalanceLine {
  /** Answers to older requests arrive late sometimes: only the latest request's answer is shown. */
  private latest = 0;

  constructor(
    private readonly element: HTMLElement,
    private readonly api: StocheditClient,
    private readonly apiKey: () => string,
  ) {}

  /** Hidden while there is no key; otherwise the account as it is now, or why it could not be read. */
  async refresh(): Promise<void> {
    const request = ++this.latest;
    this.element.hidden = this.apiKey() === "";
    if (this.element.hidden) return;
    try {
      const account = await this.api.account();
      if (request === this.latest) this.element.textContent = balanceText(account);
    } catch (error) {
      if (request === this.latest) this.element.textContent = `Balance: not available: ${describeError(error).title}`;
    }
  }
}
