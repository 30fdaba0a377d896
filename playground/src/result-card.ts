/**
 * @module result-card: one sampler's edit: its status, live progress and previews, its Cancel button, the output and
 * its download.
 */
import {
  type Edit,
  type EditPreview,
  formatCredits,
  type Progress,
  type Sampler,
  type TerminalStatus,
} from "@stochedit/shared";
import { describeError, type ErrorText } from "./api-errors.js";
import { make } from "./dom.js";
import { renderLines } from "./error-panel.js";

const extensions: Record<string, string> = { "image/png": "png", "image/webp": "webp", "image/jpeg": "jpg" };

export class ResultCard {
  readonly element: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly image: HTMLImageElement;
  private readonly latestPreview: HTMLImageElement;
  private readonly previewStrip: HTMLElement;
  private readonly downloadLink: HTMLAnchorElement;
  private readonly errorBox: HTMLElement;
  private objectUrl: string | undefined;
  private ended = false;

  constructor(readonly sampler: Sampler) {
    const name = sampler.toUpperCase();
    this.statusLine = make("p", { className: "status", textContent: "submitting" });
    this.bar = make("progress", { max: 1, value: 0 });
    this.bar.setAttribute("aria-label", `${name} progress`);
    this.cancelButton = make("button", { type: "button", className: "cancel", textContent: "Cancel", hidden: true });
    this.cancelButton.setAttribute("aria-label", `Cancel ${name} edit`);
    this.image = make("img", { className: "output", alt: `${name} result`, hidden: true });
    this.latestPreview = make("img", { className: "latest-preview", alt: `${name} latest preview`, hidden: true });
    this.previewStrip = make("div", { className: "previews", hidden: true });
    this.previewStrip.setAttribute("aria-label", `${name} previews`);
    this.downloadLink = make("a", { className: "download", textContent: `Download ${name} result`, hidden: true });
    this.errorBox = make("div", { className: "error", hidden: true });
    this.errorBox.setAttribute("role", "alert");
    this.element = make(
      "article",
      { className: "result" },
      make("h2", { textContent: name }),
      this.statusLine,
      this.bar,
      this.cancelButton,
      this.latestPreview,
      this.image,
      this.previewStrip,
      this.downloadLink,
      this.errorBox,
    );
    this.element.dataset.sampler = sampler;
  }

  /**
   * Once the edit exists it can be canceled until it ends. The card learns the end from the edit's event stream, like
   * any other ending, so a successful cancel only says it is under way; a refused one is shown and may be retried.
   */
  cancelWith(cancel: () => Promise<unknown>): void {
    this.cancelButton.hidden = false;
    this.cancelButton.onclick = async () => {
      this.cancelButton.disabled = true;
      try {
        await cancel();
        if (!this.ended) this.status("canceling…");
      } catch (error) {
        this.showError(describeError(error));
        this.cancelButton.disabled = this.ended;
      }
    };
  }

  status(text: string): void {
    this.statusLine.textContent = text;
  }

  progress(progress: Progress): void {
    this.bar.max = Math.max(progress.total, 1);
    this.bar.value = progress.step;
    this.status(`running: step ${progress.step} of ${progress.total}`);
  }

  /**
   * A preview joins the strip in its index's place, and is shown large until the output takes its place. A
   * stream that reconnects sends the previews again (the same ones change nothing); index 0 with another picture is a
   * new run of the edit (a retry), which starts the strip over.
   */
  preview(preview: EditPreview): void {
    const thumbs = this.previewStrip.children;
    const first = thumbs[0] as HTMLImageElement | undefined;
    if (preview.index === 0 && first && first.src !== preview.url) this.previewStrip.replaceChildren();
    const label = preview.step === 0 ? "start" : `step ${preview.step} of ${preview.total}`;
    const thumb = make("img", {
      src: preview.url,
      alt: `${this.sampler.toUpperCase()} preview ${preview.index}: ${label}`,
    });
    thumb.dataset.index = String(preview.index);
    const later = Array.from(thumbs).find((t) => Number((t as HTMLElement).dataset.index) >= preview.index);
    if (later && Number((later as HTMLElement).dataset.index) === preview.index) later.replaceWith(thumb);
    else this.previewStrip.insertBefore(thumb, later ?? null);
    this.previewStrip.hidden = false;
    if (this.ended) return;
    this.latestPreview.src = preview.url;
    this.latestPreview.alt = `${this.sampler.toUpperCase()} latest preview: ${label}`;
    this.latestPreview.hidden = false;
  }

  succeeded(edit: Edit, output: Blob): void {
    this.end();
    this.objectUrl = URL.createObjectURL(output);
    this.bar.value = this.bar.max;
    const size = edit.output ? `${edit.output.width}x${edit.output.height}, ` : "";
    this.status(`succeeded: ${size}seed ${edit.seed}, charged ${formatCredits(edit.charged)}`);
    this.latestPreview.hidden = true;
    this.image.src = this.objectUrl;
    this.image.hidden = false;
    this.downloadLink.href = this.objectUrl;
    this.downloadLink.download = `stochedit-${edit.id}-${this.sampler}.${extensions[output.type] ?? "png"}`;
    this.downloadLink.hidden = false;
  }

  /** The edit ended without an output: canceled, failed, expired. */
  endedWithout(status: TerminalStatus, text: ErrorText): void {
    this.end();
    this.status(status);
    this.showError(text);
  }

  /** The edit was refused, or could not be followed: it may still be running, so Cancel stays as it is. */
  failed(text: ErrorText): void {
    this.status("not finished");
    this.showError(text);
  }

  private end(): void {
    this.ended = true;
    this.cancelButton.disabled = true;
  }

  private showError(text: ErrorText): void {
    this.errorBox.replaceChildren(make("strong", { textContent: text.title }), ...renderLines(text.lines));
    this.errorBox.hidden = false;
  }

  /** Frees the output's memory once the card leaves the page. */
  dispose(): void {
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.element.remove();
  }
}
