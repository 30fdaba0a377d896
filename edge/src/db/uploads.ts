/** @module uploads: D1 queries for upload records (upload id -> account, object key, declared type and length). */
import type { ImageContentType } from "@stochedit/shared";

export interface UploadRow {
  id: string;
  account_id: string;
  object_key: string;
  content_type: ImageContentType;
  content_length: number;
  created_at: number;
  url_expires_at: number;
}

export async function insertUpload(db: D1Database, upload: UploadRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO uploads (id, account_id, object_key, content_type, content_length, created_at, url_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      upload.id,
      upload.account_id,
      upload.object_key,
      upload.content_type,
      upload.content_length,
      upload.created_at,
      upload.url_expires_at,
    )
    .run();
}

/** Only the account's own uploads: another account's upload id reads as missing. */
export async function readUpload(db: D1Database, accountId: string, uploadId: string): Promise<UploadRow | null> {
  return db
    .prepare(
      `SELECT id, account_id, object_key, content_type, content_length, created_at, url_expires_at
       FROM uploads WHERE id = ? AND account_id = ?`,
    )
    .bind(uploadId, accountId)
    .first<UploadRow>();
}
