/** @module create-upload: POST /v1/uploads: an upload record plus a short-lived presigned PUT under the account's prefix. */
import { type UploadRequest, type UploadResponse, uploadLimits } from "@stochedit/shared";
import type { EdgeConfig } from "../config.js";
import { type DataScope, livemodeColumn } from "../db/data-scope.js";
import { insertUpload } from "../db/uploads.js";
import { newUploadId } from "../ids.js";
import { presign, uploadObjectKey } from "./object-store.js";

export async function createUpload(
  db: D1Database,
  config: EdgeConfig,
  scope: DataScope,
  request: UploadRequest,
  nowMs: number,
): Promise<UploadResponse> {
  const id = newUploadId();
  const key = uploadObjectKey(scope.accountId, id);
  // Signed, so S3 refuses a PUT of another type or length than the one declared (and checked) here.
  const headers = { "content-type": request.content_type, "content-length": String(request.content_length) };
  const put = await presign(config.s3, { method: "PUT", key, headers, ttlSeconds: uploadLimits.urlTtlSeconds, nowMs });
  await insertUpload(db, {
    id,
    account_id: scope.accountId,
    object_key: key,
    content_type: request.content_type,
    content_length: request.content_length,
    created_at: nowMs,
    url_expires_at: put.expiresAtMs,
    livemode: livemodeColumn(scope),
  });
  return {
    upload_id: id,
    url: put.url,
    method: "PUT",
    headers: put.headers,
    expires_at: new Date(put.expiresAtMs).toISOString(),
  };
}
