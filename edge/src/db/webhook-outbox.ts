/**
 * @module webhook-outbox: D1 queries for the webhook outbox: the row a settlement writes when the edit's webhook is
 * owed, its removal once the message is queued, the sweep's take of rows owed too long, and their count.
 */
import type { EditStatus } from "@stochedit/shared";

export interface OwedWebhook {
  editId: string;
  /** The terminal status to announce. */
  status: EditStatus;
}

/**
 * The statement that marks the webhook of the edit settled by the batch's previous statement as owed: only when that
 * statement changed a row (so only for the settlement that ended the edit) and the request has a webhook_url.
 */
export function oweWebhookStatement(db: D1Database, editId: string, nowMs: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO webhook_outbox (edit_id, status, owed_since)
       SELECT id, status, ?2 FROM edits
       WHERE id = ?1 AND changes() = 1 AND json_extract(request_json, '$.webhook_url') IS NOT NULL`,
    )
    .bind(editId, nowMs);
}

/** The messages are on the queue: nothing is owed for these edits any more. */
export async function clearOwedWebhooks(db: D1Database, editIds: readonly string[]): Promise<void> {
  if (editIds.length === 0) return;
  await db
    .prepare(`DELETE FROM webhook_outbox WHERE edit_id IN (SELECT value FROM json_each(?))`)
    .bind(JSON.stringify(editIds))
    .run();
}

/**
 * Takes up to `limit` webhooks owed since `owedAtOrBeforeMs` or earlier, oldest first, and restarts their clock at
 * `nowMs` in the same statement: a sweep running alongside does not take them, and if queuing them fails they are
 * taken again one grace period later.
 */
export async function takeOwedWebhooks(
  db: D1Database,
  take: { owedAtOrBeforeMs: number; limit: number; nowMs: number },
): Promise<OwedWebhook[]> {
  const { results } = await db
    .prepare(
      `UPDATE webhook_outbox SET owed_since = ?3
       WHERE edit_id IN (SELECT edit_id FROM webhook_outbox WHERE owed_since <= ?1 ORDER BY owed_since LIMIT ?2)
       RETURNING edit_id, status`,
    )
    .bind(take.owedAtOrBeforeMs, take.limit, take.nowMs)
    .all<{ edit_id: string; status: EditStatus }>();
  return results.map((row) => ({ editId: row.edit_id, status: row.status }));
}

/** How many webhooks are owed right now, however long each has been (for the operators' metrics). */
export async function countOwedWebhooks(db: D1Database): Promise<number> {
  const row = await db.prepare("SELECT COUNT(*) AS owed FROM webhook_outbox").first<{ owed: number }>();
  return row?.owed ?? 0;
}
