/**
 * @module finish-job: the runner's last word on a job: complete (capture the charge), fail (retry or release the
 * hold) and release (hand the job back). Each checks the lease with the Dispatcher, writes D1 fenced by the same
 * lease, and only then drops the lease, so a crash in between leaves a lease that expires rather than a lost job.
 * The runner retries these calls when an answer is lost; a retry of a call that already took effect gets the same
 * answer again (D1 keeps the last lease on the edit), anything else with a dead lease is 409 lease_lost.
 */
import {
  type CompleteRequest,
  type EditStatus,
  type FailRequest,
  type JobError,
  type JobStateResponse,
  jobError,
  jobErrorCodes,
} from "@stochedit/shared";
import { finishEdit } from "../billing/settlement.js";
import type { EdgeConfig } from "../config.js";
import { readEditById, requeueEdit, storedRequest } from "../db/edits.js";
import { dispatcherStub } from "../dispatch/dispatcher.js";
import { ApiError } from "../http/api-error.js";
import { outputObjectKey, storedObjectBytes } from "../storage/object-store.js";
import type { StoredOutput } from "../views/edit-view.js";
import { leaseLost } from "./lease-calls.js";

const canceledWhy = "the edit was canceled (its hold is released); the result is discarded";

/** Captures the charge for a stored output; a lease that is not live any more is a 409 and changes nothing. */
export async function completeJob(
  env: Env,
  config: EdgeConfig,
  editId: string,
  body: CompleteRequest,
): Promise<JobStateResponse> {
  const dispatcher = dispatcherStub(env);
  const hold = await dispatcher.holds(editId, body.lease_id);
  if (hold === "lost") return repeated(env, editId, body.lease_id, ["succeeded"]);
  if (hold === "canceled") {
    await dispatcher.finish(editId, body.lease_id);
    throw leaseLost(editId, canceledWhy);
  }
  const edit = await readEditById(env.DB, editId);
  if (!edit) throw new ApiError("not_found", `job ${editId} does not exist`);
  const format = storedRequest(edit).output_format;
  const key = outputObjectKey(edit.account_id, editId, body.lease_id, format);
  // Charged only for a result that is really there: the runner's PUT must have landed, whole.
  const storedBytes = await storedObjectBytes(config.s3, key);
  if (storedBytes !== body.output.bytes) {
    throw new ApiError(
      "validation_failed",
      storedBytes === null
        ? `job ${editId}: no output is stored at ${key}; PUT it to output.url before completing`
        : `job ${editId}: the stored output has ${storedBytes} bytes, the completion says ${body.output.bytes}`,
      { errors: [{ path: "output.bytes", message: "does not match the stored output" }] },
    );
  }
  const output: StoredOutput = {
    key,
    width: body.output.width,
    height: body.output.height,
    sha256: body.output.sha256,
    content_type: body.output.content_type,
  };
  const ended = await finishEdit(env, {
    editId,
    status: "succeeded",
    outputJson: JSON.stringify(output),
    fence: { kind: "lease", leaseId: body.lease_id },
    nowMs: Date.now(),
  });
  await dispatcher.finish(editId, body.lease_id);
  if (!ended) throw leaseLost(editId, "the edit ended or moved to another lease while completing");
  return { id: editId, status: "succeeded" };
}

/**
 * A retryable failure queues the job again while attempts remain; any other, or the last attempt's, fails the edit and
 * releases its hold. Whether a code is retryable is the shared table's call, not the runner's.
 */
export async function failJob(env: Env, editId: string, body: FailRequest): Promise<JobStateResponse> {
  const dispatcher = dispatcherStub(env);
  const retryable = jobErrorCodes[body.error.code].retryable;
  const next = await dispatcher.afterFailure(editId, body.lease_id, retryable);
  if (next.outcome === "lost") return repeated(env, editId, body.lease_id, ["failed"]);
  if (next.outcome === "canceled") throw leaseLost(editId, canceledWhy);
  if (next.outcome === "requeued") {
    await requeueEdit(env.DB, { editId, leaseId: body.lease_id, attempts: next.attempts });
    return { id: editId, status: "queued" };
  }
  const error: JobError = retryable
    ? jobError(
        "attempts_exhausted",
        `the job failed on all ${next.attempt} attempts; the last: ${body.error.code}: ${body.error.message}`,
      )
    : jobError(body.error.code, body.error.message);
  const ended = await finishEdit(env, {
    editId,
    status: "failed",
    error,
    fence: { kind: "lease", leaseId: body.lease_id },
    nowMs: Date.now(),
  });
  await dispatcher.finish(editId, body.lease_id);
  if (!ended) throw leaseLost(editId, "the edit ended or moved to another lease while failing");
  return { id: editId, status: "failed" };
}

/** Hands the job back: queued again with the attempt not counted; a canceled edit stays canceled. */
export async function releaseJob(env: Env, editId: string, leaseId: string): Promise<JobStateResponse> {
  const next = await dispatcherStub(env).release(editId, leaseId);
  if (next.outcome === "lost") return repeated(env, editId, leaseId, ["queued", "canceled"]);
  if (next.outcome === "canceled") return { id: editId, status: "canceled" };
  await requeueEdit(env.DB, { editId, leaseId, attempts: next.attempts });
  return { id: editId, status: "queued" };
}

/**
 * The answer to a repeated call whose first try took effect: the edit still carries this lease and ended (or went
 * back to the queue) the way the call does. Otherwise the lease is lost.
 */
async function repeated(
  env: Env,
  editId: string,
  leaseId: string,
  statuses: readonly EditStatus[],
): Promise<JobStateResponse> {
  const edit = await readEditById(env.DB, editId);
  if (edit?.lease_id === leaseId && statuses.includes(edit.status)) return { id: editId, status: edit.status };
  throw leaseLost(editId);
}
