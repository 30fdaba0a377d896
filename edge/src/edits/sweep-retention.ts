/**
 * @module sweep-retention: the cron's retention pass: purges the pixels of edits whose retention is over, and the
 * objects of uploads older than a day, a bounded number per run.
 */
import { retentionLimits } from "@stochedit/shared";
import type { EdgeConfig } from "../config.js";
import { listEditsToPurge } from "../db/edits.js";
import { listUploadsToPurge, markUploadPurged } from "../db/uploads.js";
import { deleteObject } from "../storage/object-store.js";
import { purgeEditPixels } from "./purge-edit.js";

/** At most this many edits and this many uploads per run, so one run stays short after any backlog. */
export const sweepMaxPurges = 100;

export async function sweepRetention(
  db: D1Database,
  s3: EdgeConfig["s3"],
  options: { nowMs: number; maxPurges?: number },
): Promise<{ edits: number; uploads: number }> {
  const limit = options.maxPurges ?? sweepMaxPurges;
  const edits = await listEditsToPurge(db, { nowMs: options.nowMs, limit });
  for (const edit of edits) await purgeEditPixels(db, s3, edit, options.nowMs);
  const uploads = await listUploadsToPurge(db, {
    createdAtOrBeforeMs: options.nowMs - retentionLimits.uploadSeconds * 1000,
    limit,
  });
  for (const upload of uploads) {
    await deleteObject(s3, upload.object_key);
    await markUploadPurged(db, upload.id, options.nowMs);
  }
  return { edits: edits.length, uploads: uploads.length };
}
