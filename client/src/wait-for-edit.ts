/**
 * @module wait-for-edit: follows one edit to its end. The event stream is read with fetch (EventSource cannot send
 * the Authorization header); a stream that ends or breaks early is reopened with backoff; where the runtime's fetch
 * cannot stream a body (React Native's), the edit is polled instead. The edit as GET returns it is the record of how
 * it ended, whatever the stream said last.
 */
import { readEditEvents } from "./edit-events.js";
import { EditFailedError, StocheditError } from "./errors.js";
import { abortReason, retryDelayMs, sleep } from "./retry-policy.js";
import { type Edit, type EditPreview, type EditStatus, isTerminal } from "./schemas.js";

/** What `onProgress` is told, each time the status or the step changes. */
export interface EditUpdate {
  readonly id: string;
  readonly status: EditStatus;
  /** Model steps done, of `total` (0 of 0 until the runner reports the first step). */
  readonly step: number;
  readonly total: number;
  /** step / total, 0 while the total is unknown: ready for a progress bar. */
  readonly fraction: number;
}

export interface WaitOptions {
  readonly onProgress?: (update: EditUpdate) => void;
  /**
   * Each `preview` event of an edit that asked for previews (a JPEG data URL of the current estimate), in order. A
   * reconnected stream sends the previews again; a handed-back run starts again at index 0. Streaming only.
   */
  readonly onPreview?: (preview: EditPreview) => void;
  /** Stops waiting (the edit goes on: cancel it with `cancel`). */
  readonly signal?: AbortSignal;
  /** How often the edit is read when polling (no streaming bodies). Default 1000 ms. */
  readonly pollIntervalMs?: number;
}

/** What waiting needs from the client. `openEvents` resolves undefined when this fetch cannot stream bodies. */
export interface EditFeed {
  readonly streaming: boolean;
  openEvents(id: string, signal: AbortSignal | undefined): Promise<ReadableStream<Uint8Array> | undefined>;
  getEdit(id: string, signal: AbortSignal | undefined): Promise<Edit>;
}

/** Reconnection backoff: a quick first retry, doubling to 15 s, jittered (retry-policy.ts). */
const reconnect = { maxRetries: Number.POSITIVE_INFINITY, baseDelayMs: 500, maxDelayMs: 15_000 };

export async function waitForEdit(feed: EditFeed, id: string, options: WaitOptions = {}): Promise<Edit> {
  const { signal } = options;
  const report = progressReporter(id, options.onProgress);
  let streaming = feed.streaming;
  let failures = 0;
  for (;;) {
    if (streaming) {
      try {
        const body = await feed.openEvents(id, signal);
        if (body === undefined) streaming = false;
        else {
          for await (const event of readEditEvents(body)) {
            failures = 0;
            if (event.type === "progress") report.progress(event.progress.step, event.progress.total);
            else if (event.type === "preview") options.onPreview?.(event.preview);
            else {
              report.status(event.status);
              if (isTerminal(event.status)) break;
            }
          }
        }
      } catch (error) {
        failures = countFailure(error, failures, signal);
      }
    }
    let edit: Edit | undefined;
    try {
      edit = await feed.getEdit(id, signal);
      if (!streaming) failures = 0;
    } catch (error) {
      failures = countFailure(error, failures, signal);
    }
    if (edit) {
      report.edit(edit);
      if (edit.status === "succeeded") return edit;
      if (isTerminal(edit.status)) throw new EditFailedError(edit);
    }
    // A stream that ended in good order (it closes after 30 minutes) is reopened soon, after failures later.
    const backoff = retryDelayMs(failures, undefined, reconnect) ?? reconnect.maxDelayMs;
    await sleep(streaming ? backoff : Math.max(options.pollIntervalMs ?? 1_000, failures > 0 ? backoff : 0), signal);
  }
}

/**
 * A failure worth waiting through (no network, a 503, a stream cut off) is counted; any other (the edit does not
 * exist, the key is refused, an answer off the schema) or an abort ends the wait.
 */
function countFailure(error: unknown, failures: number, signal: AbortSignal | undefined): number {
  if (signal?.aborted) throw abortReason(signal);
  if (!(error instanceof StocheditError && error.retryable) && !isStreamBreak(error)) throw error;
  return failures + 1;
}

/** A body that errors mid-stream (connection reset) surfaces as a TypeError from the reader, not a typed error. */
function isStreamBreak(error: unknown): boolean {
  return error instanceof TypeError;
}

function progressReporter(id: string, onProgress: WaitOptions["onProgress"]) {
  let status: EditStatus = "queued";
  let step = 0;
  let total = 0;
  let last = "";
  const emit = () => {
    const key = `${status} ${step} ${total}`;
    if (key === last || !onProgress) return;
    last = key;
    onProgress({ id, status, step, total, fraction: total > 0 ? Math.min(1, step / total) : 0 });
  };
  return {
    status(next: EditStatus) {
      status = next;
      emit();
    },
    progress(nextStep: number, nextTotal: number) {
      // Progress only comes while running, also when the stream's first status was merged away.
      if (status === "queued") status = "running";
      step = nextStep;
      total = nextTotal;
      emit();
    },
    edit(edit: Edit) {
      status = edit.status;
      step = edit.progress.step;
      total = edit.progress.total;
      emit();
    },
  };
}
