/**
 * @module edits: D1 queries for edits (jobs): read one, find or release an idempotency key, list newest first, and
 * the runner's writes (start, progress, back to the queue), each fenced by the edit's current lease.
 */
import { EditRequest, type EditStatus, type Sampler, type Task } from "@stochedit/shared";
import { type DataScope, livemodeColumn } from "./data-scope.js";

export interface EditRow {
  id: string;
  account_id: string;
  task: Task;
  sampler: Sampler;
  status: EditStatus;
  request_json: string;
  image_upload_id: string;
  mask_upload_id: string | null;
  /** The objects the edit reads: its own copies of the uploads (see migration 0004). */
  image_key: string;
  mask_key: string | null;
  /** The image's size as priced: the runner refuses an image of another size. */
  width: number;
  height: number;
  price_micro: number;
  charged_micro: number;
  seed: number;
  model: string;
  progress_step: number;
  progress_total: number;
  attempts: number;
  error_json: string | null;
  output_json: string | null;
  idempotency_key: string | null;
  request_sha256: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The lease of the latest claim (see migration 0002). */
  lease_id: string | null;
  /** How long the pixels are kept after the edit ends, and when they were deleted (migration 0005). */
  retention_seconds: number;
  purged_at: number | null;
  /** A chained edit's parent: the edit whose output was its image (migration 0006). */
  parent_edit_id: string | null;
  /** 0: made with an sk_test_ key (migration 0007). */
  livemode: 0 | 1;
  /** Previews of the latest run (edit_previews rows of the current lease, migration 0008). */
  previews_ready: number;
}

/**
 * The request as accepted (defaults filled in, the seed and model it runs with): edits.request_json, parsed with the
 * API's schema. The one reader of that column.
 */
export function storedRequest(edit: Pick<EditRow, "request_json">): EditRequest {
  return EditRequest.parse(JSON.parse(edit.request_json));
}

const editColumns = `id, account_id, task, sampler, status, request_json, image_upload_id, mask_upload_id, image_key,
  mask_key, width, height, price_micro, charged_micro, seed, model, progress_step, progress_total, attempts, error_json, output_json,
  idempotency_key, request_sha256, created_at, started_at, finished_at, lease_id, retention_seconds, purged_at,
  parent_edit_id, livemode,
  (SELECT COUNT(*) FROM edit_previews p WHERE p.edit_id = edits.id AND p.lease_id = edits.lease_id) AS previews_ready`;

/** Scoped to the account and mode: another account's edit, or one of the other mode, reads as missing (404). */
export async function readEdit(db: D1Database, scope: DataScope, editId: string): Promise<EditRow | null> {
  return db
    .prepare(`SELECT ${editColumns} FROM edits WHERE id = ? AND account_id = ? AND livemode = ?`)
    .bind(editId, scope.accountId, livemodeColumn(scope))
    .first<EditRow>();
}

/**
 * How an Idempotency-Key is stored: D1's UNIQUE (account_id, idempotency_key) spans both modes, so a test key's is
 * prefixed with "test " (a space, which no Idempotency-Key contains): each mode has its own keys.
 */
export function storedIdempotencyKey(scope: Pick<DataScope, "livemode">, idempotencyKey: string): string {
  return scope.livemode ? idempotencyKey : `test ${idempotencyKey}`;
}

export async function readEditByIdempotencyKey(
  db: D1Database,
  scope: DataScope,
  idempotencyKey: string,
): Promise<EditRow | null> {
  return db
    .prepare(`SELECT ${editColumns} FROM edits WHERE account_id = ? AND idempotency_key = ?`)
    .bind(scope.accountId, storedIdempotencyKey(scope, idempotencyKey))
    .first<EditRow>();
}

/** Takes an expired key off the edit that held it, so that a new edit may hold it (one edit per key and account). */
export async function releaseIdempotencyKey(db: D1Database, editId: string, storedKey: string): Promise<void> {
  await db
    .prepare("UPDATE edits SET idempotency_key = NULL WHERE id = ? AND idempotency_key = ?")
    .bind(editId, storedKey)
    .run();
}

/** Where a page ends: the last edit's creation time and id (ids break ties between edits of the same millisecond). */
export interface EditCursor {
  createdAtMs: number;
  id: string;
}

export interface EditPageQuery {
  status: EditStatus | undefined;
  limit: number;
  after: EditCursor | undefined;
}

/** Newest first; one row more than asked tells whether another page follows. */
export async function listEdits(
  db: D1Database,
  scope: DataScope,
  query: EditPageQuery,
): Promise<{ rows: EditRow[]; hasMore: boolean }> {
  const { results } = await db
    .prepare(
      `SELECT ${editColumns} FROM edits
       WHERE account_id = ?1 AND livemode = ?6
         AND (?2 IS NULL OR status = ?2)
         AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4))
       ORDER BY created_at DESC, id DESC
       LIMIT ?5`,
    )
    .bind(
      scope.accountId,
      query.status ?? null,
      query.after?.createdAtMs ?? null,
      query.after?.id ?? null,
      query.limit + 1,
      livemodeColumn(scope),
    )
    .all<EditRow>();
  return { rows: results.slice(0, query.limit), hasMore: results.length > query.limit };
}

/** For the edge's own work (dispatch, webhooks), never for a caller's request: not scoped to an account. */
export async function readEditById(db: D1Database, editId: string): Promise<EditRow | null> {
  return db.prepare(`SELECT ${editColumns} FROM edits WHERE id = ?`).bind(editId).first<EditRow>();
}

/** What a runner needs of a claimed edit: the request as accepted, where its input objects are, the priced size. */
export type StartedEdit = Pick<
  EditRow,
  "account_id" | "request_json" | "seed" | "model" | "image_key" | "mask_key" | "width" | "height"
>;

/**
 * Marks the edit running under a new lease (its attempt number, the first start time kept), and reads what the
 * runner needs, in one round trip. Null when the edit has already ended (canceled or expired while queued).
 */
export async function startEdit(
  db: D1Database,
  start: { editId: string; leaseId: string; attempt: number; nowMs: number },
): Promise<StartedEdit | null> {
  const [started, read] = await db.batch<StartedEdit>([
    db
      .prepare(
        `UPDATE edits SET status = 'running', lease_id = ?2, attempts = ?3, started_at = COALESCE(started_at, ?4),
           progress_step = 0
         WHERE id = ?1 AND status IN ('queued', 'running')`,
      )
      .bind(start.editId, start.leaseId, start.attempt, start.nowMs),
    db
      .prepare(
        "SELECT account_id, request_json, seed, model, image_key, mask_key, width, height FROM edits WHERE id = ?1",
      )
      .bind(start.editId),
  ]);
  return started!.meta.changes === 1 ? (read!.results[0] ?? null) : null;
}

/** The edit waits for a runner again (lost lease, retryable failure, hand-back); attempts = those counted so far. */
export async function requeueEdit(
  db: D1Database,
  requeue: { editId: string; leaseId: string; attempts: number },
): Promise<void> {
  await db
    .prepare(
      `UPDATE edits SET status = 'queued', attempts = ?3, progress_step = 0
       WHERE id = ?1 AND lease_id = ?2 AND status = 'running'`,
    )
    .bind(requeue.editId, requeue.leaseId, requeue.attempts)
    .run();
}

export async function writeEditProgress(
  db: D1Database,
  progress: { editId: string; leaseId: string; step: number; total: number },
): Promise<void> {
  await db
    .prepare(
      `UPDATE edits SET progress_step = MIN(?3, ?4), progress_total = ?4
       WHERE id = ?1 AND lease_id = ?2 AND status = 'running'`,
    )
    .bind(progress.editId, progress.leaseId, progress.step, progress.total)
    .run();
}

export type EditProgressRow = Pick<EditRow, "status" | "progress_step" | "progress_total">;

/** The little the event stream polls for, scoped to the account and mode. */
export async function readEditProgress(
  db: D1Database,
  scope: DataScope,
  editId: string,
): Promise<EditProgressRow | null> {
  return db
    .prepare("SELECT status, progress_step, progress_total FROM edits WHERE id = ? AND account_id = ? AND livemode = ?")
    .bind(editId, scope.accountId, livemodeColumn(scope))
    .first<EditProgressRow>();
}

/** Ended edits whose retention is over and whose pixels are still stored, oldest ending first. */
export async function listEditsToPurge(db: D1Database, query: { nowMs: number; limit: number }): Promise<EditRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${editColumns} FROM edits
       WHERE purged_at IS NULL AND finished_at IS NOT NULL AND finished_at + retention_seconds * 1000 <= ?1
       ORDER BY finished_at LIMIT ?2`,
    )
    .bind(query.nowMs, query.limit)
    .all<EditRow>();
  return results;
}

/** Records that an ended edit's pixels are gone; false when it has not ended (nothing may be deleted then). */
export async function markEditPurged(db: D1Database, editId: string, nowMs: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE edits SET purged_at = COALESCE(purged_at, ?2) WHERE id = ?1 AND finished_at IS NOT NULL")
    .bind(editId, nowMs)
    .run();
  return result.meta.changes === 1;
}

/** The edits a chained edit descends from, the first of its chain (edited from an upload) first, its parent last. */
export async function readEditAncestors(db: D1Database, accountId: string, editId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `WITH RECURSIVE chain(id, parent, depth) AS (
         SELECT id, parent_edit_id, 0 FROM edits WHERE id = ?1 AND account_id = ?2
         UNION ALL
         SELECT e.id, e.parent_edit_id, chain.depth + 1 FROM edits e JOIN chain ON e.id = chain.parent
       )
       SELECT id FROM chain WHERE depth > 0 ORDER BY depth DESC`,
    )
    .bind(editId, accountId)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}
