/**
 * @module test-support/runner: test helpers that act as a GPU runner against the real worker: HMAC-signed internal
 * calls (and replays of them), claiming a given edit, storing an output through the presigned PUT, and making a lease run out.
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { type ClaimedJob, type CompleteRequest, signInternalRequest } from "@stochedit/shared";
import { expect } from "vitest";
import { dispatcherStub } from "../dispatch/dispatcher.js";
import type { Reply } from "./api.js";
import { encodePng } from "./png.js";

export interface SignOptions {
  /** Replaces the signature header (a forged or malformed one); null leaves both headers out. */
  signature?: string | null;
  /** Seconds since the epoch to sign at (a stale request). */
  nowSeconds?: number;
}

/** POST to an internal route, signed like the runner signs (shared/src/internal-auth.ts). */
export async function runnerCall<T = unknown>(
  path: string,
  body: unknown,
  options: SignOptions = {},
): Promise<Reply<T>> {
  return (await signedRunnerRequest<T>(path, body, options))();
}

/** One signed request that can be sent again unchanged, as someone who captured it would replay it. */
export async function signedRunnerRequest<T = unknown>(
  path: string,
  body: unknown,
  options: SignOptions = {},
): Promise<() => Promise<Reply<T>>> {
  const text = JSON.stringify(body);
  const signed = await signInternalRequest(
    env.RUNNER_HMAC_SECRET,
    { method: "POST", path, body: text },
    options.nowSeconds,
  );
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.signature !== null) {
    Object.assign(headers, signed);
    if (options.signature !== undefined) headers["x-stochedit-signature"] = options.signature;
  }
  return async () => {
    const response = await SELF.fetch(`https://edge.test${path}`, { method: "POST", headers, body: text });
    const type = response.headers.get("content-type") ?? "";
    const raw = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (type.includes("json") ? JSON.parse(raw) : raw) as T,
    };
  };
}

export const jobCall = <T = unknown>(editId: string, action: string, body: unknown) =>
  runnerCall<T>(`/internal/jobs/${editId}/${action}`, body);

/** Claims as `runnerId` and checks that the job handed out is `editId` (tests share one Dispatcher per file). */
export async function claimEdit(editId: string, runnerId = "runner-test"): Promise<ClaimedJob> {
  const reply = await runnerCall<ClaimedJob>("/internal/claim", { runner_id: runnerId, models: ["stochedit-mini"] });
  expect(reply.status).toBe(200);
  expect(reply.body.id).toBe(editId);
  return reply.body;
}

/** PUTs an output through the job's presigned URL, as the runner does, and returns the matching complete body. */
export async function storeOutput(job: ClaimedJob, size = { width: 32, height: 24 }): Promise<CompleteRequest> {
  const bytes = await encodePng(size.width, size.height);
  const put = await fetch(job.output.url, { method: "PUT", headers: job.output.headers, body: bytes });
  expect(put.status).toBe(200);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return {
    lease_id: job.lease.id,
    output: {
      width: size.width,
      height: size.height,
      sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
      bytes: bytes.length,
      content_type: "image/png",
    },
  };
}

/** Moves the lease's deadline into the past and runs the Dispatcher's alarm, as if the TTL had passed. */
export async function runOutLease(editId: string): Promise<void> {
  const dispatcher = dispatcherStub(env);
  await runInDurableObject(dispatcher, (_, state) => {
    state.storage.sql.exec("UPDATE leases SET expires_at_ms = 0 WHERE edit_id = ?", editId);
  });
  expect(await runDurableObjectAlarm(dispatcher)).toBe(true);
}

/** Moves a waiting job's queue time into the past and runs the alarm, as if QUEUED_JOB_TTL_MS had passed. */
export async function runOutWaiting(editId: string): Promise<void> {
  const dispatcher = dispatcherStub(env);
  await runInDurableObject(dispatcher, (_, state) => {
    state.storage.sql.exec("UPDATE ready SET queued_at_ms = 0 WHERE edit_id = ?", editId);
  });
  expect(await runDurableObjectAlarm(dispatcher)).toBe(true);
}

/** The edit's row in D1, as the dispatch tests check it. */
export function editRow(editId: string) {
  return env.DB.prepare(
    "SELECT status, attempts, lease_id, charged_micro, error_json, output_json, progress_step, progress_total FROM edits WHERE id = ?",
  )
    .bind(editId)
    .first<{
      status: string;
      attempts: number;
      lease_id: string | null;
      charged_micro: number;
      error_json: string | null;
      output_json: string | null;
      progress_step: number;
      progress_total: number;
    }>();
}
