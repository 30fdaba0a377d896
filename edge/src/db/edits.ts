/** @module edits: D1 queries for edits (jobs): read one, find by idempotency key, list newest first. */
import type { EditStatus, Sampler, Task } from "@stochedit/shared";

export interface EditRow {
  id: string;
  account_id: string;
  task: Task;
  sampler: Sampler;
  status: EditStatus;
  request_json: string;
  image_upload_id: string;
  mask_upload_id: string | null;
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
}

const editColumns = `id, account_id, task, sampler, status, request_json, image_upload_id, mask_upload_id, width, height,
  price_micro, charged_micro, seed, model, progress_step, progress_total, attempts, error_json, output_json,
  idempotency_key, request_sha256, created_at, started_at, finished_at`;

/** Scoped to the account: another account's edit reads as missing (404, never 403). */
export async function readEdit(db: D1Database, accountId: string, editId: string): Promise<EditRow | null> {
  return db
    .prepare(`SELECT ${editColumns} FROM edits WHERE id = ? AND account_id = ?`)
    .bind(editId, accountId)
    .first<EditRow>();
}

export async function readEditByIdempotencyKey(
  db: D1Database,
  accountId: string,
  idempotencyKey: string,
): Promise<EditRow | null> {
  return db
    .prepare(`SELECT ${editColumns} FROM edits WHERE account_id = ? AND idempotency_key = ?`)
    .bind(accountId, idempotencyKey)
    .first<EditRow>();
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
  accountId: string,
  query: EditPageQuery,
): Promise<{ rows: EditRow[]; hasMore: boolean }> {
  const { results } = await db
    .prepare(
      `SELECT ${editColumns} FROM edits
       WHERE account_id = ?1
         AND (?2 IS NULL OR status = ?2)
         AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4))
       ORDER BY created_at DESC, id DESC
       LIMIT ?5`,
    )
    .bind(accountId, query.status ?? null, query.after?.createdAtMs ?? null, query.after?.id ?? null, query.limit + 1)
    .all<EditRow>();
  return { rows: results.slice(0, query.limit), hasMore: results.length > query.limit };
}
