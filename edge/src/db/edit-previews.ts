/**
 * @module edit-previews: D1 queries for an edit's previews: the runner's fenced insert, the latest run's previews
 * in order (after an event id), and their deletion with the edit's other pixels.
 */

export interface PreviewRow {
  seq: number;
  idx: number;
  step: number;
  total: number;
  width: number;
  height: number;
  content_type: string;
  data: string;
}

export interface NewPreview {
  editId: string;
  leaseId: string;
  index: number;
  step: number;
  total: number;
  width: number;
  height: number;
  contentType: string;
  /** Base64. */
  data: string;
  nowMs: number;
}

/**
 * Stores a preview only while `leaseId` is the running edit's lease. The same index twice from one run is kept once
 * (a repeated call changes nothing).
 */
export async function insertEditPreview(db: D1Database, preview: NewPreview): Promise<void> {
  await db
    .prepare(
      `INSERT OR IGNORE INTO edit_previews (edit_id, lease_id, idx, step, total, width, height, content_type, data,
         created_at)
       SELECT id, lease_id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM edits
       WHERE id = ?1 AND lease_id = ?2 AND status = 'running'`,
    )
    .bind(
      preview.editId,
      preview.leaseId,
      preview.index,
      preview.step,
      preview.total,
      preview.width,
      preview.height,
      preview.contentType,
      preview.data,
      preview.nowMs,
    )
    .run();
}

/** The latest run's previews (those of the edit's current lease) with seq above `afterSeq`, in order. */
export async function listEditPreviews(db: D1Database, editId: string, afterSeq = 0): Promise<PreviewRow[]> {
  const { results } = await db
    .prepare(
      `SELECT p.seq, p.idx, p.step, p.total, p.width, p.height, p.content_type, p.data
       FROM edit_previews p JOIN edits e ON e.id = p.edit_id AND e.lease_id = p.lease_id
       WHERE p.edit_id = ?1 AND p.seq > ?2
       ORDER BY p.seq`,
    )
    .bind(editId, afterSeq)
    .all<PreviewRow>();
  return results;
}

/** Every preview of every run of the edit. */
export async function deleteEditPreviews(db: D1Database, editId: string): Promise<void> {
  await db.prepare("DELETE FROM edit_previews WHERE edit_id = ?").bind(editId).run();
}
