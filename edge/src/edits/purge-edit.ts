/**
 * @module purge-edit: deletes an ended edit's pixels: every output object it has (one per claim), its own copies of
 * its inputs, its previews, and the uploads it used that no other kept edit still uses; then records purged_at. The
 * row and its ledger rows stay.
 */
import type { EdgeConfig } from "../config.js";
import { deleteEditPreviews } from "../db/edit-previews.js";
import { type EditRow, markEditPurged } from "../db/edits.js";
import { listUploadsOnlyUsedBy, markUploadPurged } from "../db/uploads.js";
import { deleteObjectsUnder } from "../storage/delete-objects.js";
import { deleteObject, editInputPrefix, outputObjectPrefix } from "../storage/object-store.js";

/**
 * Objects first, the record last: a failure part way leaves purged_at unset, so the next sweep (or a repeated DELETE)
 * deletes what is left. False when the edit has not ended: a running job's pixels are never deleted.
 */
export async function purgeEditPixels(
  db: D1Database,
  s3: EdgeConfig["s3"],
  edit: Pick<EditRow, "id" | "account_id" | "finished_at">,
  nowMs: number,
): Promise<boolean> {
  if (edit.finished_at === null) return false;
  await deleteObjectsUnder(s3, outputObjectPrefix(edit.account_id, edit.id));
  await deleteObjectsUnder(s3, editInputPrefix(edit.account_id, edit.id));
  await deleteEditPreviews(db, edit.id);
  for (const upload of await listUploadsOnlyUsedBy(db, edit.id)) {
    await deleteObject(s3, upload.object_key);
    await markUploadPurged(db, upload.id, nowMs);
  }
  return markEditPurged(db, edit.id, nowMs);
}
