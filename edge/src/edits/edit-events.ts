/**
 * @module edit-events: the server-sent events of GET /v1/edits/{id}/events: a `status` event on connect and on every
 * change, `progress` events as steps advance, each `preview` once, and the end of the stream after a terminal status.
 *
 * The stream polls the edit's row in D1 (SSE_POLL_MS) rather than being pushed to from a Durable Object: D1 already
 * holds every change (claims, throttled progress, settlements, from workers and from the Dispatcher's alarm), a
 * poll needs no fan-out state that an evicted or restarted object could lose, and any isolate can serve any stream.
 * The price is one small read per interval per open stream, and changes closer together than one interval merge
 * (a terminal status is always sent).
 *
 * Previews are never merged: every stored preview of the latest run is sent once per connection, in order, with its
 * sequence number as the event id, so a reconnect with Last-Event-ID (EventSource sends it by itself) gets only the
 * ones after it, and one without gets them all again. The runner stores them all before it completes, and the
 * previews are read after the status, so a stream that ends has sent every preview.
 */
import { type EditEvent, isTerminal } from "@stochedit/shared";
import type { SSEStreamingApi } from "hono/streaming";
import type { DataScope } from "../db/data-scope.js";
import { listEditPreviews } from "../db/edit-previews.js";
import { readEditProgress } from "../db/edits.js";
import { previewView } from "../views/edit-view.js";

/** A comment line this often keeps proxies from closing a quiet stream (Cloudflare's idle limit is 100 s). */
const keepAliveMs = 15_000;
/** A stream ends after this long even if the edit has not; EventSource clients reconnect on their own. */
const maxStreamMs = 30 * 60_000;

export async function streamEditEvents(
  stream: SSEStreamingApi,
  db: D1Database,
  target: {
    scope: DataScope;
    editId: string;
    pollMs: number;
    /** Whether the edit asked for previews (none: their table is not read). */
    previews: boolean;
    /** The last preview the client has (Last-Event-ID), 0 for none. */
    afterSeq: number;
  },
): Promise<void> {
  const startedMs = Date.now();
  let lastWriteMs = startedMs;
  let sentStatus: string | undefined;
  let sentProgress: string | undefined;
  let sentSeq = target.afterSeq;
  const send = async (event: EditEvent, id?: number) => {
    await stream.writeSSE({
      event: event.type,
      data: JSON.stringify(event),
      ...(id !== undefined && { id: String(id) }),
    });
    lastWriteMs = Date.now();
  };

  while (!stream.aborted && Date.now() - startedMs < maxStreamMs) {
    const row = await readEditProgress(db, target.scope, target.editId);
    if (!row) return;
    const at = new Date().toISOString();
    const progressKey = row.progress_step > 0 ? `${row.progress_step}/${row.progress_total}` : undefined;
    const progressEvent: EditEvent = {
      type: "progress",
      id: target.editId,
      progress: { step: row.progress_step, total: row.progress_total },
      at,
    };
    const statusEvent: EditEvent = { type: "status", id: target.editId, status: row.status, at };
    const terminal = isTerminal(row.status);
    // A status that starts work comes before its progress; the last progress comes before a terminal status.
    if (!terminal && row.status !== sentStatus) await send(statusEvent);
    if (progressKey !== undefined && progressKey !== sentProgress) await send(progressEvent);
    const previews = target.previews ? await listEditPreviews(db, target.editId, sentSeq) : [];
    for (const preview of previews) {
      await send({ type: "preview", id: target.editId, preview: previewView(preview), at }, preview.seq);
      sentSeq = preview.seq;
    }
    if (terminal) return send(statusEvent);
    sentStatus = row.status;
    sentProgress = progressKey ?? sentProgress;
    if (Date.now() - lastWriteMs >= keepAliveMs) {
      await stream.write(": keep-alive\n\n");
      lastWriteMs = Date.now();
    }
    await stream.sleep(target.pollMs);
  }
}
