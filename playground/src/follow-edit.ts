/** @module follow-edit: an accepted edit followed through its event stream to its end, then shown on its card. */
import { type EditAccepted, formatCredits, isTerminal } from "@stochedit/shared";
import type { ApiClient } from "./api-client.js";
import { describeError } from "./api-errors.js";
import { readEditEvents } from "./edit-events.js";
import type { ResultCard } from "./result-card.js";

const endings: Record<string, string> = {
  succeeded: "The edit succeeded but has no output",
  failed: "The edit failed",
  canceled: "The edit was canceled",
  expired: "The edit expired: no runner took it in time",
};

/** Like EventSource's default retry: a stream that ended before the edit did is reopened after this pause. */
const reconnectDelayMs = 2_000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

export async function followEdit(
  api: ApiClient,
  accepted: EditAccepted,
  card: ResultCard,
  signal: AbortSignal,
): Promise<void> {
  card.status(`${accepted.status}: price ${formatCredits(accepted.price)} held`);
  for (;;) {
    const stream = await api.editEvents(accepted.id, signal);
    for await (const event of readEditEvents(stream)) {
      if (event.type === "progress") card.progress(event.progress);
      else if (event.type === "preview") card.preview(event.preview);
      else if (isTerminal(event.status)) break;
      else card.status(event.status);
    }
    // The edit itself is the record of how it ended (output URL, error), whatever the stream said last.
    const edit = await api.edit(accepted.id, signal);
    if (edit.status === "succeeded" && edit.output) {
      card.succeeded(edit, await api.download(edit.output.url, signal));
      return;
    }
    if (isTerminal(edit.status)) {
      const reason = edit.error ? [`${edit.error.code}: ${edit.error.message}`] : [];
      card.endedWithout(edit.status, {
        title: endings[edit.status] ?? `The edit ended ${edit.status}`,
        lines: [...reason, `edit ${edit.id}`],
      });
      return;
    }
    await pause(reconnectDelayMs, signal);
  }
}

/** followEdit, with anything that stops it shown on the card (an abort, from a newer run, is not a failure). */
export async function followEditShowingErrors(
  api: ApiClient,
  accepted: EditAccepted,
  card: ResultCard,
  signal: AbortSignal,
): Promise<void> {
  try {
    await followEdit(api, accepted, card, signal);
  } catch (error) {
    if (!signal.aborted) card.failed(describeError(error));
  }
}
