/**
 * @module claim-job: POST /internal/claim as one domain step: the Dispatcher leases the oldest waiting job for the
 * runner's models, D1 marks the edit running under that lease, and the runner gets the request with presigned URLs.
 */
import type { ClaimedJob, ClaimRequest } from "@stochedit/shared";
import type { EdgeConfig } from "../config.js";
import { type StartedEdit, startEdit, storedRequest } from "../db/edits.js";
import { dispatcherStub, type LeaseGrant } from "../dispatch/dispatcher.js";
import { outputContentTypes, outputObjectKey, presign } from "../storage/object-store.js";

/** Inputs are fetched when the job starts. */
export const inputUrlTtlSeconds = 15 * 60;
/** The output is written when the job ends, which on a slow runner can be long after the claim. */
export const outputUrlTtlSeconds = 6 * 60 * 60;
/** Queue entries of edits that ended while waiting (canceled, expired) are skipped, this many per claim at most. */
const maxSkippedPerClaim = 8;

/** A job and its lease, or undefined when nothing waits for these models. */
export async function claimJob(env: Env, config: EdgeConfig, request: ClaimRequest): Promise<ClaimedJob | undefined> {
  const dispatcher = dispatcherStub(env);
  for (let skipped = 0; skipped <= maxSkippedPerClaim; skipped++) {
    const grant = await dispatcher.claim(request.runner_id, request.models);
    if (!grant) return undefined;
    const nowMs = Date.now();
    let started: StartedEdit | null;
    try {
      started = await startEdit(env.DB, {
        editId: grant.editId,
        leaseId: grant.leaseId,
        attempt: grant.attempt,
        nowMs,
      });
    } catch (error) {
      // D1 failed, not the runner: hand the job back without counting the attempt.
      await dispatcher.release(grant.editId, grant.leaseId);
      throw error;
    }
    if (started) return claimedJob(config, grant, started, nowMs);
    await dispatcher.finish(grant.editId, grant.leaseId);
  }
  return undefined;
}

async function claimedJob(
  config: EdgeConfig,
  grant: LeaseGrant,
  edit: StartedEdit,
  nowMs: number,
): Promise<ClaimedJob> {
  const request = storedRequest(edit);
  const get = (key: string) =>
    presign(config.s3, { method: "GET", key, headers: {}, ttlSeconds: inputUrlTtlSeconds, nowMs });
  const outputKey = outputObjectKey(edit.account_id, grant.editId, grant.leaseId, request.output_format);
  const [image, mask, output] = await Promise.all([
    get(edit.image_key),
    edit.mask_key === null ? undefined : get(edit.mask_key),
    presign(config.s3, {
      method: "PUT",
      key: outputKey,
      headers: { "content-type": outputContentTypes[request.output_format] },
      ttlSeconds: outputUrlTtlSeconds,
      nowMs,
    }),
  ]);
  return {
    id: grant.editId,
    attempt: grant.attempt,
    lease: { id: grant.leaseId, expires_at: new Date(grant.expiresAtMs).toISOString(), ttl_ms: grant.ttlMs },
    request,
    seed: edit.seed,
    model: edit.model,
    image: { url: image.url, width: edit.width, height: edit.height },
    ...(mask && { mask: { url: mask.url } }),
    output: { url: output.url, headers: output.headers, key: outputKey, format: request.output_format },
  };
}
