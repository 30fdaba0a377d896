/** @module error-panel: where a failed step says what went wrong, in the API's own words. */
import type { ErrorText } from "./api-errors.js";
import { make } from "./dom.js";

/** What the message is about: a later success of the same step clears it, other steps' messages stay. */
export type ErrorSource = "image" | "price" | "run";

export class ErrorPanel {
  private source: ErrorSource | undefined;

  constructor(private readonly element: HTMLElement) {}

  show(source: ErrorSource, text: ErrorText): void {
    this.source = source;
    this.element.replaceChildren(make("strong", { textContent: text.title }), ...renderLines(text.lines));
    this.element.hidden = false;
  }

  clear(source: ErrorSource): void {
    if (this.source !== source) return;
    this.source = undefined;
    this.element.replaceChildren();
    this.element.hidden = true;
  }
}

export function renderLines(lines: readonly string[]): HTMLElement[] {
  return lines.length === 0 ? [] : [make("ul", {}, ...lines.map((line) => make("li", { textContent: line })))];
}
