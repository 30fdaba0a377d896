/** @module edit-view: an edits row as the API shows it, with a fresh presigned URL for a finished output; its previews. */
import { type Edit, type EditAccepted, EditOutput, type EditPreview, JobError } from "@stochedit/shared";
import { z } from "zod";
import type { EdgeConfig } from "../config.js";
import type { PreviewRow } from "../db/edit-previews.js";
import type { EditRow } from "../db/edits.js";
import { presign } from "../storage/object-store.js";

/** What the runner reports for a finished edit and D1 keeps (edits.output_json); the URL is minted on each read. */
export const StoredOutput = EditOutput.omit({ url: true, expires_at: true }).extend({ key: z.string().min(1) });
export type StoredOutput = z.infer<typeof StoredOutput>;

/** Output URLs live an hour: long enough to download, short enough that a leaked URL soon stops working. */
export const outputUrlTtlSeconds = 60 * 60;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function editLinks(id: string): Edit["links"] {
  return {
    self: `/v1/edits/${id}`,
    cancel: `/v1/edits/${id}/cancel`,
    events: `/v1/edits/${id}/events`,
    previews: `/v1/edits/${id}/previews`,
    output: `/v1/edits/${id}/output`,
  };
}

export function acceptedView(row: EditRow): EditAccepted {
  return {
    id: row.id,
    status: row.status,
    price: row.price_micro,
    livemode: row.livemode === 1,
    created_at: new Date(row.created_at).toISOString(),
    links: editLinks(row.id),
  };
}

export async function editView(row: EditRow, s3: EdgeConfig["s3"], nowMs: number): Promise<Edit> {
  const view: Edit = {
    id: row.id,
    task: row.task,
    sampler: row.sampler,
    status: row.status,
    progress: { step: row.progress_step, total: row.progress_total },
    price: row.price_micro,
    charged: row.charged_micro,
    seed: row.seed,
    model: row.model,
    attempts: row.attempts,
    livemode: row.livemode === 1,
    previews_ready: row.previews_ready,
    created_at: new Date(row.created_at).toISOString(),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    parent_id: row.parent_edit_id,
    retention_seconds: row.retention_seconds,
    purge_at: iso(row.finished_at === null ? null : row.finished_at + row.retention_seconds * 1000),
    purged_at: iso(row.purged_at),
    links: editLinks(row.id),
  };
  if (row.error_json !== null) view.error = JobError.parse(JSON.parse(row.error_json));
  const stored = keptOutput(row);
  if (stored) {
    const { key, ...output } = stored;
    const url = await presignOutput(s3, key, nowMs);
    view.output = { ...output, url: url.url, expires_at: new Date(url.expiresAtMs).toISOString() };
  }
  return view;
}

/** A succeeded edit's output while it is kept (not yet purged); null otherwise. */
export function keptOutput(row: EditRow): StoredOutput | null {
  if (row.status !== "succeeded" || row.output_json === null || row.purged_at !== null) return null;
  return StoredOutput.parse(JSON.parse(row.output_json));
}

export function presignOutput(s3: EdgeConfig["s3"], key: string, nowMs: number) {
  return presign(s3, { method: "GET", key, headers: {}, ttlSeconds: outputUrlTtlSeconds, nowMs });
}

/** A stored preview as the API shows it: the JPEG inline as a data URL. */
export function previewView(row: PreviewRow): EditPreview {
  return {
    index: row.idx,
    step: row.step,
    total: row.total,
    width: row.width,
    height: row.height,
    url: `data:${row.content_type};base64,${row.data}`,
  };
}
