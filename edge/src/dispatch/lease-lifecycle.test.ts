import type { Edit, EditAccepted, JobStateResponse, LeaseStatus } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { ledgerTotals, submitAccepted, uploadPng } from "../test-support/edits.js";
import {
  claimEdit,
  editRow,
  jobCall,
  runnerCall,
  runOutLease,
  runOutWaiting,
  storeOutput,
} from "../test-support/runner.js";

/** A customer with one queued img2img edit (MAX_ATTEMPTS is 2 in the tests). */
async function queuedEdit(name: string): Promise<{ key: string; accountId: string; accepted: EditAccepted }> {
  const customer = await createCustomer(name);
  const image = await uploadPng(customer.key, 64, 64);
  const accepted = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5, steps: 10 });
  return { key: customer.key, accountId: customer.account.id, accepted };
}

const modelError = { code: "model_error", message: "the UNet returned NaN", retryable: true } as const;

describe("leases that run out", () => {
  it("put the job back for another attempt, then fail the edit and release its hold once attempts are used up", async () => {
    const { accountId, accepted } = await queuedEdit("lease-expiry");
    const before = await ledgerTotals(accountId);
    const first = await claimEdit(accepted.id, "runner-lost-1");

    await runOutLease(accepted.id);
    expect(await editRow(accepted.id)).toMatchObject({ status: "queued", attempts: 1 });
    expectProblem(await jobCall(accepted.id, "heartbeat", { lease_id: first.lease.id }), 409, "lease_lost");

    const second = await claimEdit(accepted.id, "runner-lost-2");
    expect(second.attempt).toBe(2);
    expect(await editRow(accepted.id)).toMatchObject({ status: "running", attempts: 2, lease_id: second.lease.id });
    await runOutLease(accepted.id);

    const row = await editRow(accepted.id);
    expect(row).toMatchObject({ status: "failed", attempts: 2, charged_micro: 0 });
    expect(JSON.parse(row!.error_json!)).toMatchObject({ code: "attempts_exhausted", retryable: false });
    expect(await ledgerTotals(accountId)).toMatchObject({
      balance: before.balance + accepted.price,
      held: before.held - accepted.price,
      kinds: { grant: 1, hold: 1, release: 1 },
    });
    expect((await runnerCall("/internal/claim", { runner_id: "r", models: ["stochedit-mini"] })).status).toBe(204);
  });

  it("fence out the runner that lost one: it can neither complete nor fail the job, and its output is not used", async () => {
    const { key, accountId, accepted } = await queuedEdit("lease-fencing");
    const stale = await claimEdit(accepted.id, "runner-stale");
    const staleCompletion = await storeOutput(stale);
    await runOutLease(accepted.id);
    // Lost before anyone else took the job...
    expectProblem(await jobCall(accepted.id, "complete", staleCompletion), 409, "lease_lost");

    const fresh = await claimEdit(accepted.id, "runner-fresh");
    // ...and after: every call with the old lease is refused, and changes nothing.
    expectProblem(await jobCall(accepted.id, "complete", staleCompletion), 409, "lease_lost");
    expectProblem(
      await jobCall(accepted.id, "fail", { lease_id: stale.lease.id, error: modelError }),
      409,
      "lease_lost",
    );
    expectProblem(await jobCall(accepted.id, "release", { lease_id: stale.lease.id }), 409, "lease_lost");
    expectProblem(
      await jobCall(accepted.id, "progress", { lease_id: stale.lease.id, step: 9, total: 10 }),
      409,
      "lease_lost",
    );
    expect(await editRow(accepted.id)).toMatchObject({ status: "running", lease_id: fresh.lease.id, progress_step: 0 });

    const done = await jobCall<JobStateResponse>(accepted.id, "complete", await storeOutput(fresh));
    expect(done.body).toEqual({ id: accepted.id, status: "succeeded" });
    expect(JSON.parse((await editRow(accepted.id))!.output_json!).key).toBe(
      `accounts/${accountId}/outputs/${accepted.id}/${fresh.lease.id}.png`,
    );
    const edit = (await call<Edit>("GET", `/v1/edits/${accepted.id}`, { token: key })).body;
    expect(edit).toMatchObject({ status: "succeeded", attempts: 2, charged: accepted.price });
    expect((await ledgerTotals(accountId)).kinds).toEqual({ grant: 1, hold: 1, capture: 1 });
  });
});

describe("hand-backs and failures", () => {
  it("a release queues the job again without using up an attempt", async () => {
    const { accepted } = await queuedEdit("lease-release");
    const first = await claimEdit(accepted.id);
    const released = await jobCall<JobStateResponse>(accepted.id, "release", { lease_id: first.lease.id });
    expect(released.body).toEqual({ id: accepted.id, status: "queued" });
    expect(await editRow(accepted.id)).toMatchObject({ status: "queued", attempts: 0 });
    const again = await claimEdit(accepted.id);
    expect(again.attempt).toBe(1);

    // After a counted attempt (a retryable failure), a hand-back leaves the count where it was.
    await jobCall(accepted.id, "fail", { lease_id: again.lease.id, error: modelError });
    const last = await claimEdit(accepted.id);
    expect(last.attempt).toBe(2);
    await jobCall(accepted.id, "release", { lease_id: last.lease.id });
    expect(await editRow(accepted.id)).toMatchObject({ status: "queued", attempts: 1 });
    expect((await claimEdit(accepted.id)).attempt).toBe(2);
    await runOutLease(accepted.id);
  });

  it("a retryable failure is tried again; on the last attempt it fails the edit as attempts_exhausted", async () => {
    const { accountId, accepted } = await queuedEdit("lease-retryable");
    const first = await claimEdit(accepted.id);
    const retried = await jobCall<JobStateResponse>(accepted.id, "fail", {
      lease_id: first.lease.id,
      error: modelError,
    });
    expect(retried.body).toEqual({ id: accepted.id, status: "queued" });
    expect(await editRow(accepted.id)).toMatchObject({ status: "queued", attempts: 1 });

    const second = await claimEdit(accepted.id);
    const failed = await jobCall<JobStateResponse>(accepted.id, "fail", {
      lease_id: second.lease.id,
      error: modelError,
    });
    expect(failed.body).toEqual({ id: accepted.id, status: "failed" });
    const error = JSON.parse((await editRow(accepted.id))!.error_json!);
    expect(error).toMatchObject({ code: "attempts_exhausted", retryable: false });
    expect(error.message).toContain("model_error: the UNet returned NaN");
    expect((await ledgerTotals(accountId)).kinds).toEqual({ grant: 1, hold: 1, release: 1 });
  });

  it("a failure that no retry can fix fails the edit at once with the runner's error, and releases the hold", async () => {
    const { accountId, accepted } = await queuedEdit("lease-final-failure");
    const before = await ledgerTotals(accountId);
    const job = await claimEdit(accepted.id);
    const error = { code: "image_invalid", message: "not a PNG: bad IHDR CRC", retryable: false };
    const failed = await jobCall<JobStateResponse>(accepted.id, "fail", { lease_id: job.lease.id, error });
    expect(failed.body).toEqual({ id: accepted.id, status: "failed" });
    expect(JSON.parse((await editRow(accepted.id))!.error_json!)).toEqual(error);
    const retried = await jobCall<JobStateResponse>(accepted.id, "fail", { lease_id: job.lease.id, error });
    expect(retried.body).toEqual({ id: accepted.id, status: "failed" });
    expect(await ledgerTotals(accountId)).toMatchObject({ balance: before.balance + accepted.price, held: 0 });
  });
});

describe("jobs nobody runs in time", () => {
  it("expire, are refunded, and are not handed out afterwards", async () => {
    const { accountId, accepted } = await queuedEdit("lease-queued-expiry");
    const before = await ledgerTotals(accountId);
    await runOutWaiting(accepted.id);
    const row = await editRow(accepted.id);
    expect(row).toMatchObject({ status: "expired", charged_micro: 0 });
    expect(JSON.parse(row!.error_json!)).toMatchObject({ code: "expired", retryable: false });
    expect(await ledgerTotals(accountId)).toMatchObject({ balance: before.balance + accepted.price, held: 0 });
    expect((await runnerCall("/internal/claim", { runner_id: "r", models: ["stochedit-mini"] })).status).toBe(204);
  });
});

describe("cancellation", () => {
  it("of a queued edit takes it off the queue", async () => {
    const { key, accepted } = await queuedEdit("cancel-queued");
    expect((await call<Edit>("POST", `/v1/edits/${accepted.id}/cancel`, { token: key })).body.status).toBe("canceled");
    expect((await runnerCall("/internal/claim", { runner_id: "r", models: ["stochedit-mini"] })).status).toBe(204);
  });

  it("of a running edit releases the hold at once and reaches the runner at its next heartbeat", async () => {
    const { key, accountId, accepted } = await queuedEdit("cancel-running");
    const before = await ledgerTotals(accountId);
    const job = await claimEdit(accepted.id);
    const canceled = await call<Edit>("POST", `/v1/edits/${accepted.id}/cancel`, { token: key });
    expect(canceled.body).toMatchObject({ status: "canceled", charged: 0 });
    expect(await ledgerTotals(accountId)).toMatchObject({ balance: before.balance + accepted.price, held: 0 });

    const beat = await jobCall<LeaseStatus>(accepted.id, "heartbeat", { lease_id: job.lease.id });
    expect(beat).toMatchObject({ status: 200, body: { cancel_requested: true } });
    const progress = await jobCall<LeaseStatus>(accepted.id, "progress", {
      lease_id: job.lease.id,
      step: 2,
      total: 10,
    });
    expect(progress.body.cancel_requested).toBe(true);
    // A runner that finishes anyway is told the result is discarded; nothing is charged.
    const late = await jobCall(accepted.id, "complete", await storeOutput(job));
    expect(expectProblem(late, 409, "lease_lost").detail).toContain("canceled");
    expect(await editRow(accepted.id)).toMatchObject({ status: "canceled", charged_micro: 0 });
    expect((await ledgerTotals(accountId)).kinds).toEqual({ grant: 1, hold: 1, release: 1 });
  });

  it("answers the runner's hand-back of a canceled job with the canceled status", async () => {
    const { key, accepted } = await queuedEdit("cancel-release");
    const job = await claimEdit(accepted.id);
    await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: key });
    const released = await jobCall<JobStateResponse>(accepted.id, "release", { lease_id: job.lease.id });
    expect(released).toMatchObject({ status: 200, body: { id: accepted.id, status: "canceled" } });
    expect(await editRow(accepted.id)).toMatchObject({ status: "canceled" });
    // Its retry (the first answer lost) hears the same; a completion with that lease is still refused.
    const retried = await jobCall<JobStateResponse>(accepted.id, "release", { lease_id: job.lease.id });
    expect(retried).toMatchObject({ status: 200, body: { status: "canceled" } });
    expectProblem(await jobCall(accepted.id, "complete", await storeOutput(job)), 409, "lease_lost");
    expect((await runnerCall("/internal/claim", { runner_id: "r", models: ["stochedit-mini"] })).status).toBe(204);
  });
});
