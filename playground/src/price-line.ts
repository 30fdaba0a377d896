/** @module price-line: the quoted price of what Run would submit, asked shortly after the last change. */
import type { StocheditClient } from "@stochedit/client";
import { type EditRequestInput, formatCredits } from "@stochedit/shared";
import { describeError } from "./api-errors.js";
import type { ErrorPanel } from "./error-panel.js";

/** Typing a number of steps changes the form on every key: one quote after the last change, not one per key. */
const settleMs = 250;

export class PriceLine {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to older requests arrive late sometimes: only the latest request's answer is shown. */
  private latest = 0;
  /** The requests being priced or shown, as JSON; none after a failure, so that the same requests are tried again. */
  private pricedKey: string | undefined;

  constructor(
    private readonly element: HTMLElement,
    private readonly api: StocheditClient,
    private readonly errors: ErrorPanel,
  ) {}

  nothingToPrice(hint: string): void {
    clearTimeout(this.timer);
    this.latest++;
    this.pricedKey = undefined;
    this.element.textContent = `Price: ${hint}`;
    this.errors.clear("price");
  }

  /** Quotes every request (one per sampler) and shows their sum, and each price when there are several. */
  schedule(requests: readonly EditRequestInput[]): void {
    // A change event that changes no request (a field's blur as Run is pressed) keeps the price as it is: resetting
    // the line would move the Run button between the press and the release, and the click would be lost.
    const key = JSON.stringify(requests);
    if (key === this.pricedKey) return;
    this.pricedKey = key;
    clearTimeout(this.timer);
    const request = ++this.latest;
    this.element.textContent = "Price: …";
    this.timer = setTimeout(async () => {
      try {
        const quotes = await Promise.all(requests.map((body) => this.api.quote(body)));
        if (request !== this.latest) return;
        const total = quotes.reduce((sum, quote) => sum + quote.price, 0);
        const each = quotes.map((quote, i) => `${requests[i]!.sampler?.toUpperCase()} ${formatCredits(quote.price)}`);
        this.element.textContent = `Price: ${formatCredits(total)}${quotes.length > 1 ? ` = ${each.join(" + ")}` : ""}`;
        this.errors.clear("price");
      } catch (error) {
        if (request !== this.latest) return;
        this.pricedKey = undefined;
        this.element.textContent = "Price: not available (see the error).";
        this.errors.show("price", describeError(error));
      }
    }, settleMs);
  }
}
