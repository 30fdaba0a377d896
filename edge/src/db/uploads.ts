/** @module uploads: D1 queries for upload records (upload id -> account, object key, declared type and length). */
import type { ImageContentType } from "@stochedit/shared";
import { type DataScope, livemodeColumn } from "./data-scope.js";

export interface UploadRow {
  id: string;
  account_id: string;
  object_key: string;
  content_type: ImageContentType;
  content_length: number;
  created_at: number;
  url_expires_at: number;
  /** When its object was deleted (a day after creation, or with the pixels of the edits that used it). */
  purged_at: number | null;
  /** 0: made with an sk_test_ key (migration 0007). */
  livemode: 0 | 1;
}

export async function insertUpload(db: D1Database, upload: Omit<UploadRow, "purged_at">): Promise<void> {
  await db
    .prepare(
      `INSERT INTO uploads (id, account_id, object_key, content_type, content_length, created_at, url_expires_at,
         livemode)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      upload.id,
      upload.account_id,
      upload.object_key,
      upload.content_type,
      upload.content_length,
      upload.created_at,
      upload.url_expires_at,
      upload.livemode,
    )
    .run();
}

/** Only the account's own uploads of the same mode: another account's, or the other mode's, reads as missing. */
export async function readUpload(db: D1Database, scope: DataScope, uploadId: string): Promise<UploadRow | null> {
  return db
    .prepare(
      `SELECT id, account_id, object_key, content_type, content_length, created_at, url_expires_at, purged_at,
         livemode
       FROM uploads WHERE id = ? AND account_id = ? AND livemode = ?`,
    )
    .bind(uploadId, scope.accountId, livemodeColumn(scope))
    .first<UploadRow>();
}

export type StoredUpload = Pick<UploadRow, "id" | "object_key">;

/** Uploads whose object is still stored and older than `createdAtOrBeforeMs`, oldest first. */
export async function listUploadsToPurge(
  db: D1Database,
  query: { createdAtOrBeforeMs: number; limit: number },
): Promise<StoredUpload[]> {
  const { results } = await db
    .prepare(
      "SELECT id, object_key FROM uploads WHERE purged_at IS NULL AND created_at <= ? ORDER BY created_at LIMIT ?",
    )
    .bind(query.createdAtOrBeforeMs, query.limit)
    .all<StoredUpload>();
  return results;
}

/** The still-stored uploads of an edit that no other edit whose pixels are kept still uses. */
export async function listUploadsOnlyUsedBy(db: D1Database, editId: string): Promise<StoredUpload[]> {
  const { results } = await db
    .prepare(
      `SELECT u.id, u.object_key FROM edits e JOIN uploads u ON u.id IN (e.image_upload_id, e.mask_upload_id)
       WHERE e.id = ?1 AND u.purged_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM edits other WHERE other.id != ?1 AND other.purged_at IS NULL
                           AND u.id IN (other.image_upload_id, other.mask_upload_id))`,
    )
    .bind(editId)
    .all<StoredUpload>();
  return results;
}

export async function markUploadPurged(db: D1Database, uploadId: string, nowMs: number): Promise<void> {
  await db.prepare("UPDATE uploads SET purged_at = ? WHERE id = ? AND purged_at IS NULL").bind(nowMs, uploadId).run();
}
