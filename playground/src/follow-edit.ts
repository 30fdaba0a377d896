/** @module follow-edit: an accepted edit followed to its end with the client's `wait`, then shown on its card. */
import { type EditAccepted, EditFailedError, type StocheditClient } from "@stochedit/client";
import { formatCredits } from "@stochedit/shared";
import { describeError } from "./api-errors.js";
import type { ResultCard } from "./result-card.js";

const endings: Record<string, string> = {
  failed: "The edit failed",
  canceled: "The edit was canceled",
  expired: "The edit expired: no runner took it in time",
};

/**
 * Progress comes from the edit's event stream (the client reads it with fetch: EventSource cannot send the
 * Authorization header). An abort (a newer run) stops following without showing anything.
 */
export async function followEdit(
  client: StocheditClient,
  accepted: EditAccepted,
  card: ResultCard,
  signal: AbortSignal,
): Promise<void> {
  card.status(`${accepted.status}: price ${formatCredits(accepted.price)} held`);
  try {
    const edit = await client.wait(accepted.id, {
      signal,
      onPreview: (preview) => card.preview(preview),
      onProgress: (update) => {
        if (update.status === "running" && update.total > 0) card.progress(update);
        else if (update.status === "queued" || update.status === "running") card.status(update.status);
      },
    });
    const output = await client.downloadOutput(edit, { signal });
    card.succeeded(edit, new Blob([output.bytes as Uint8Array<ArrayBuffer>], { type: output.contentType }));
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof EditFailedError) {
      const { edit } = error;
      const reason = edit.error ? [`${edit.error.code}: ${edit.error.message}`] : [];
      card.endedWithout(error.status, {
        title: endings[edit.status] ?? `The edit ended ${edit.status}`,
        lines: [...reason, `edit ${edit.id}`],
      });
      return;
    }
    card.failed(describeError(error));
  }
}
