/**
 * @module lease-calls: a runner's heartbeat, progress and previews: extend its lease, pass on a cancel, record
 * progress and previews.
 */
import type { LeaseStatus, PreviewRequest, ProgressRequest } from "@stochedit/shared";
import { insertEditPreview } from "../db/edit-previews.js";
import { writeEditProgress } from "../db/edits.js";
import { dispatcherStub, type LeaseRenewal } from "../dispatch/dispatcher.js";
import { ApiError } from "../http/api-error.js";
import { retryTransient } from "../storage/transient-errors.js";

export async function heartbeatJob(env: Env, editId: string, leaseId: string): Promise<LeaseStatus> {
  // A renewal repeated extends the lease from a moment later: safe to repeat.
  const renewal = await retryTransient<LeaseRenewal>(async () => await dispatcherStub(env).heartbeat(editId, leaseId));
  return leaseStatus(editId, renewal);
}

/** Progress is written to D1 only as often as the Dispatcher allows (PROGRESS_WRITE_MIN_MS), and fenced by the lease. */
export async function reportProgress(env: Env, editId: string, progress: ProgressRequest): Promise<LeaseStatus> {
  const renewal = await retryTransient<LeaseRenewal>(
    async () => await dispatcherStub(env).progress(editId, progress.lease_id, progress.step, progress.total),
  );
  const status = leaseStatus(editId, renewal);
  if (renewal.hold === "held" && renewal.writeProgress) {
    await writeEditProgress(env.DB, { editId, leaseId: progress.lease_id, step: progress.step, total: progress.total });
  }
  return status;
}

/**
 * A preview is never throttled away (the runner sends them one at a time): it extends the lease like a heartbeat
 * and is stored, fenced by the lease, for the event stream and GET /v1/edits/{id}/previews.
 */
export async function reportPreview(env: Env, editId: string, preview: PreviewRequest): Promise<LeaseStatus> {
  const renewal = await dispatcherStub(env).heartbeat(editId, preview.lease_id);
  const status = leaseStatus(editId, renewal);
  if (renewal.hold === "held") {
    await insertEditPreview(env.DB, {
      editId,
      leaseId: preview.lease_id,
      index: preview.index,
      step: preview.step,
      total: preview.total,
      width: preview.width,
      height: preview.height,
      contentType: preview.content_type,
      data: preview.data,
      nowMs: Date.now(),
    });
  }
  return status;
}

function leaseStatus(editId: string, renewal: LeaseRenewal): LeaseStatus {
  if (renewal.hold === "lost") throw leaseLost(editId);
  return {
    lease_expires_at: new Date(renewal.expiresAtMs).toISOString(),
    cancel_requested: renewal.hold === "canceled",
  };
}

/** 409 lease_lost: the runner must stop at once and report nothing more (another runner may hold the job). */
export function leaseLost(
  editId: string,
  why = "the lease expired, was handed to another runner, or is unknown",
): ApiError {
  return new ApiError("lease_lost", `job ${editId}: ${why}; stop work on it and do not report it`, {
    retryable: false,
  });
}
