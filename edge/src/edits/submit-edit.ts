/**
 * @module submit-edit: POST /v1/edits as one domain step: idempotency, the uploads copied to the edit's own keys,
 * inspection and price of those copies, the hold and the new edit in one D1 transaction, then the hand-over to the
 * Dispatcher. The edit is priced from and run on the same bytes; a failed hand-over fails the edit and releases the
 * hold, so nothing is charged for a job no runner can see.
 */
import { type EditRequest, jobError } from "@stochedit/shared";
import { sha256Hex } from "../auth/digest.js";
import { createEditWithHold } from "../billing/ledger.js";
import { finishEdit } from "../billing/settlement.js";
import type { EdgeConfig } from "../config.js";
import { readAccount } from "../db/accounts.js";
import type { DataScope } from "../db/data-scope.js";
import { type EditRow, readEditByIdempotencyKey, releaseIdempotencyKey, storedIdempotencyKey } from "../db/edits.js";
import { dispatcherStub } from "../dispatch/dispatcher.js";
import { ApiError } from "../http/api-error.js";
import type { Caller } from "../http/app-env.js";
import { newEditId, randomSeed } from "../ids.js";
import { retryTransient } from "../storage/transient-errors.js";
import { discardInputCopies, type EditInputs, pinInputs, uploadedInputs } from "./edit-inputs.js";
import { checkEditSettings, inspectEdit } from "./inspect-edit.js";

/**
 * How long an Idempotency-Key stays bound to the edit it created (Stripe's 24 hours): long enough for any client's
 * retries, short enough that a client may recycle its keys. Past it the key is free and makes a new edit.
 */
export const idempotencyKeyTtlMs = 24 * 60 * 60 * 1000;

export interface Submission {
  edit: EditRow;
  /** True when an earlier request with the same Idempotency-Key and body created this edit. */
  replayed: boolean;
}

export async function submitEdit(
  env: Env,
  config: EdgeConfig,
  caller: Caller,
  request: EditRequest,
  idempotencyKey: string | undefined,
): Promise<Submission> {
  const db = env.DB;
  // The parsed body (defaults filled in, keys in schema order) so that equivalent bodies hash alike.
  const requestSha256 = await sha256Hex(JSON.stringify(request));
  const nowMs = Date.now();
  if (idempotencyKey !== undefined) {
    const earlier = await earlierSubmission(db, caller, idempotencyKey, requestSha256, nowMs);
    if (earlier) return earlier;
  }

  const model = checkEditSettings(config, caller, request);
  const uploaded = await uploadedInputs(db, caller, request);
  const editId = newEditId();
  const inputs = await pinInputs(config.s3, uploaded, caller.accountId, editId);
  let submission: Submission;
  try {
    submission = await holdAndRecord(db, config, caller, request, {
      editId,
      model,
      inputs,
      requestSha256,
      idempotencyKey,
      nowMs,
    });
  } catch (error) {
    await discardInputCopies(config.s3, [inputs.image, inputs.mask]);
    throw error;
  }
  if (submission.replayed) {
    await discardInputCopies(config.s3, [inputs.image, inputs.mask]);
    return submission;
  }
  const { edit } = submission;
  try {
    // Enqueuing an edit twice keeps one entry, so a call whose answer was lost is repeated.
    const job = { editId: edit.id, accountId: edit.account_id, model: edit.model, enqueuedAtMs: nowMs };
    await retryTransient(() => dispatcherStub(env).enqueue(job));
  } catch (error) {
    await finishEdit(env, {
      editId: edit.id,
      status: "failed",
      error: jobError("internal", "the job could not be queued; it was not charged"),
      nowMs: Date.now(),
    });
    // The 503 says retry: the key must then make a new edit, not replay this failed one.
    if (edit.idempotency_key !== null) await releaseIdempotencyKey(db, edit.id, edit.idempotency_key);
    console.error(JSON.stringify({ level: "error", editId: edit.id, message: "enqueue failed", error: String(error) }));
    throw new ApiError("unavailable", `edit ${edit.id} could not be queued and was not charged; retry shortly`);
  }
  return { edit, replayed: false };
}

interface NewEditFacts {
  editId: string;
  model: string;
  /** The edit's own copies of its uploads. */
  inputs: EditInputs;
  requestSha256: string;
  idempotencyKey: string | undefined;
  nowMs: number;
}

/**
 * Prices the edit from its copies and records it with its hold. A concurrent request with the same Idempotency-Key
 * may have made the edit meanwhile: then that one is the answer (replayed).
 */
async function holdAndRecord(
  db: D1Database,
  config: EdgeConfig,
  caller: Caller,
  request: EditRequest,
  facts: NewEditFacts,
): Promise<Submission> {
  const { inputs, idempotencyKey, requestSha256, nowMs } = facts;
  const inspected = await inspectEdit(config, request, inputs);
  if (request.max_price !== undefined && inspected.quote.price > request.max_price) {
    throw new ApiError(
      "price_above_max",
      `this edit costs ${inspected.quote.price} micro-credits, above max_price ${request.max_price}; nothing was held`,
      { quote: inspected.quote, retryable: false },
    );
  }
  const seed = request.seed ?? randomSeed();
  const edit: EditRow = {
    id: facts.editId,
    account_id: caller.accountId,
    task: request.task,
    sampler: request.sampler,
    status: "queued",
    request_json: JSON.stringify({ ...request, seed, model: facts.model }),
    image_upload_id: inputs.image.uploadId,
    mask_upload_id: inputs.mask?.uploadId ?? null,
    image_key: inputs.image.key,
    mask_key: inputs.mask?.key ?? null,
    width: inspected.size.width,
    height: inspected.size.height,
    price_micro: inspected.quote.price,
    charged_micro: 0,
    seed,
    model: facts.model,
    progress_step: 0,
    progress_total: inspected.quote.unet_calls,
    attempts: 0,
    error_json: null,
    output_json: null,
    idempotency_key: idempotencyKey === undefined ? null : storedIdempotencyKey(caller, idempotencyKey),
    request_sha256: requestSha256,
    created_at: nowMs,
    started_at: null,
    finished_at: null,
    lease_id: null,
    retention_seconds: request.retention_seconds,
    purged_at: null,
    parent_edit_id: inputs.parentEditId,
    livemode: caller.livemode ? 1 : 0,
    previews_ready: 0,
  };
  const outcome = await createEditWithHold(db, edit);
  if (outcome === "created") return { edit, replayed: false };
  const earlier =
    idempotencyKey === undefined
      ? undefined
      : await earlierSubmission(db, caller, idempotencyKey, requestSha256, nowMs);
  if (earlier) return earlier;
  if (outcome === "duplicate_idempotency_key") throw new Error("idempotency key collided but no edit holds it");
  const account = await readAccount(db, caller.accountId);
  throw new ApiError(
    "insufficient_credits",
    `this edit costs ${edit.price_micro} micro-credits; the account has ${account?.balance_micro ?? 0} available`,
  );
}

/** The edit this key created less than `idempotencyKeyTtlMs` ago, if any; a key that old is released instead. */
async function earlierSubmission(
  db: D1Database,
  scope: DataScope,
  idempotencyKey: string,
  requestSha256: string,
  nowMs: number,
): Promise<Submission | undefined> {
  const earlier = await readEditByIdempotencyKey(db, scope, idempotencyKey);
  if (!earlier) return undefined;
  if (nowMs - earlier.created_at >= idempotencyKeyTtlMs) {
    await releaseIdempotencyKey(db, earlier.id, storedIdempotencyKey(scope, idempotencyKey));
    return undefined;
  }
  if (earlier.request_sha256 !== requestSha256) {
    throw new ApiError(
      "idempotency_conflict",
      `Idempotency-Key "${idempotencyKey}" was first used for edit ${earlier.id} with a different body; use a new key for a new edit`,
    );
  }
  return { edit: earlier, replayed: true };
}
