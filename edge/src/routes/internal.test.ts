import { env, runInDurableObject, SELF } from "cloudflare:test";
import {
  type BacklogMetrics,
  type ClaimedJob,
  type Edit,
  type EditAccepted,
  type JobStateResponse,
  type LeaseStatus,
  signInternalRequest,
} from "@stochedit/shared";
import { describe, expect, inject, it } from "vitest";
import { finishEdit } from "../billing/settlement.js";
import { clearOwedWebhooks } from "../db/webhook-outbox.js";
import { dispatcherStub } from "../dispatch/dispatcher.js";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { ledgerTotals, queuedEditIds, submitAccepted, uploadPng } from "../test-support/edits.js";
import { envWithWebhookQueue, unavailableQueue } from "../test-support/queues.js";
import { claimEdit, editRow, jobCall, runnerCall, signedRunnerRequest, storeOutput } from "../test-support/runner.js";
import { checkPresignedUrl } from "../test-support/sigv4.js";

const inpaint = (image: string, mask: string) => ({
  task: "inpaint" as const,
  image,
  mask,
  steps: 10,
  output_format: "webp" as const,
});

const failure = { code: "model_error", message: "the UNet returned NaN", retryable: true } as const;

describe("runner authentication", () => {
  const claimBody = { runner_id: "runner-auth", models: ["stochedit-mini"] };

  it("refuses a request without signature headers", async () => {
    const problem = expectProblem(
      await runnerCall("/internal/claim", claimBody, { signature: null }),
      401,
      "unauthorized",
    );
    expect(problem.detail).toContain("missing signature headers");
  });

  it("refuses a forged signature, a malformed one and one of the old nonce-less v1 kind", async () => {
    const forged = await runnerCall("/internal/claim", claimBody, { signature: `v2=${"ab".repeat(32)}` });
    expect(expectProblem(forged, 401, "unauthorized").detail).toContain("signature mismatch");
    const old = await runnerCall("/internal/claim", claimBody, { signature: `v1=${"ab".repeat(32)}` });
    expect(expectProblem(old, 401, "unauthorized").detail).toContain("v1 signatures carry no nonce");
    const malformed = await runnerCall("/internal/claim", claimBody, { signature: "sha256=zz" });
    expect(expectProblem(malformed, 401, "unauthorized").detail).toContain("malformed signature");
  });

  it("refuses a request signed outside the 60 s window", async () => {
    const stale = await runnerCall("/internal/claim", claimBody, { nowSeconds: Math.floor(Date.now() / 1000) - 120 });
    expect(expectProblem(stale, 401, "unauthorized").detail).toContain("outside the 60 s window");
  });

  it("refuses a signature made for another path (a claim's replayed on a job route)", async () => {
    const body = JSON.stringify({ lease_id: "lease_0000000000000000" });
    const headers = await signInternalRequest(env.RUNNER_HMAC_SECRET, {
      method: "POST",
      path: "/internal/claim",
      body,
    });
    const response = await SELF.fetch("https://edge.test/internal/jobs/ed_AAAAAAAAAAAAAAAAAAAA/heartbeat", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(401);
  });

  it("checks signed bodies against the protocol schema", async () => {
    const reply = await runnerCall("/internal/claim", { runner_id: "", models: [] });
    const problem = expectProblem(reply, 422, "validation_failed");
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(["models", "runner_id"]);
  });
});

describe("claim, heartbeat, progress, complete", () => {
  it("answers 204 when nothing waits for the runner's models", async () => {
    const reply = await runnerCall("/internal/claim", { runner_id: "runner-idle", models: ["no-such-model"] });
    expect(reply.status).toBe(204);
  });

  it("runs an edit to success and captures its charge exactly once", async () => {
    const customer = await createCustomer("dispatch-happy");
    const [image, mask] = await Promise.all([uploadPng(customer.key, 96, 64), uploadPng(customer.key, 96, 64)]);
    const accepted = await submitAccepted(customer.key, { ...inpaint(image, mask), seed: 77 });
    const before = await ledgerTotals(customer.account.id);

    const job = await claimEdit(accepted.id, "runner-happy");
    expect(job).toMatchObject({
      id: accepted.id,
      attempt: 1,
      lease: { id: expect.stringMatching(/^lease_/), ttl_ms: 60_000 },
      request: { task: "inpaint", image, mask, steps: 10, seed: 77, model: "stochedit-mini", output_format: "webp" },
      seed: 77,
      model: "stochedit-mini",
      output: {
        headers: { "content-type": "image/webp" },
        key: `accounts/${customer.account.id}/outputs/${accepted.id}/${job.lease.id}.webp`,
        format: "webp",
      },
    });
    // The runner's URLs are real presigned S3 requests: the image downloads, the output PUT is signed for webp.
    const download = await fetch(job.image.url);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer()).subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    // The edit's own copies of the uploads, the image with the size it was priced for.
    expect(job.image).toMatchObject({ width: 96, height: 64 });
    expect(job.image.url).toContain(`/accounts/${customer.account.id}/edits/${accepted.id}/image?`);
    expect(job.mask?.url).toContain(`/accounts/${customer.account.id}/edits/${accepted.id}/mask?`);
    const putCheck = await checkPresignedUrl("PUT", job.output.url, job.output.headers, env.S3_SECRET_ACCESS_KEY);
    expect(putCheck).toMatchObject({ valid: true, signedHeaders: ["content-type", "host"] });
    expect(await editRow(accepted.id)).toMatchObject({ status: "running", attempts: 1, lease_id: job.lease.id });

    const beat = await jobCall<LeaseStatus>(accepted.id, "heartbeat", { lease_id: job.lease.id });
    expect(beat.status).toBe(200);
    expect(beat.body.cancel_requested).toBe(false);
    expect(Date.parse(beat.body.lease_expires_at)).toBeGreaterThanOrEqual(Date.parse(job.lease.expires_at));

    const progress = await jobCall<LeaseStatus>(accepted.id, "progress", {
      lease_id: job.lease.id,
      step: 3,
      total: 10,
    });
    expect(progress.status).toBe(200);
    // Written at most once per PROGRESS_WRITE_MIN_MS (a minute in the tests): the next report is not.
    await jobCall(accepted.id, "progress", { lease_id: job.lease.id, step: 4, total: 10 });
    expect(await editRow(accepted.id)).toMatchObject({ progress_step: 3, progress_total: 10 });

    const complete = await storeOutput(job);
    const done = await jobCall<JobStateResponse>(accepted.id, "complete", complete);
    expect(done).toMatchObject({ status: 200, body: { id: accepted.id, status: "succeeded" } });
    // A retried completion (its answer lost on the way) gets the same answer and captures nothing more.
    const again = await jobCall<JobStateResponse>(accepted.id, "complete", complete);
    expect(again).toMatchObject({ status: 200, body: { id: accepted.id, status: "succeeded" } });
    expectProblem(await jobCall(accepted.id, "fail", { lease_id: job.lease.id, error: failure }), 409, "lease_lost");

    const edit = (await call<Edit>("GET", `/v1/edits/${accepted.id}`, { token: customer.key })).body;
    expect(edit).toMatchObject({
      status: "succeeded",
      charged: accepted.price,
      attempts: 1,
      progress: { step: 10, total: 10 },
      output: { width: 32, height: 24, sha256: complete.output.sha256, content_type: "image/png" },
    });
    const stored = new Uint8Array(await (await fetch(edit.output!.url)).arrayBuffer());
    expect(stored.length).toBe(complete.output.bytes);
    expect(await ledgerTotals(customer.account.id)).toMatchObject({
      balance: before.balance,
      held: before.held - accepted.price,
      kinds: { grant: 1, hold: 1, capture: 1 },
    });
  });

  it("refuses a completion whose output was never stored, and leaves the edit running", async () => {
    const customer = await createCustomer("dispatch-no-output");
    const accepted = await submitAccepted(customer.key, {
      task: "img2img",
      image: await uploadPng(customer.key, 64, 64),
      strength: 0.5,
    });
    const job = await claimEdit(accepted.id);
    const reply = await jobCall(accepted.id, "complete", {
      lease_id: job.lease.id,
      output: { width: 64, height: 64, sha256: "0".repeat(64), bytes: 10, content_type: "image/png" },
    });
    expect(expectProblem(reply, 422, "validation_failed").detail).toContain("no output is stored");
    expect(await editRow(accepted.id)).toMatchObject({ status: "running", charged_micro: 0 });
    await jobCall(accepted.id, "fail", {
      lease_id: job.lease.id,
      error: { code: "image_invalid", message: "test cleanup", retryable: false },
    });
  });
});

describe("GET /internal/metrics", () => {
  it("needs the metrics token, not an API key or the runner secret", async () => {
    expectProblem(await call("GET", "/internal/metrics"), 401, "unauthorized");
    expectProblem(await call("GET", "/internal/metrics", { token: env.RUNNER_HMAC_SECRET }), 401, "unauthorized");
  });

  it("reports the backlog: waiting, running, and the oldest wait", async () => {
    const customer = await createCustomer("dispatch-metrics");
    const image = await uploadPng(customer.key, 64, 64);
    const first = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5 });
    await submitAccepted(customer.key, { task: "img2img", image, strength: 0.6 });
    const job: ClaimedJob = await claimEdit(first.id);

    const reply = await call<BacklogMetrics>("GET", "/internal/metrics", { token: env.METRICS_TOKEN });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ queued: 1, running: 1, backlog: 2 });
    expect(reply.body.oldest_queued_age_ms).toBeGreaterThanOrEqual(0);
    await jobCall(first.id, "release", { lease_id: job.lease.id });
  });

  it("counts the webhooks owed: settled while the queue was down, not yet queued", async () => {
    const metrics = async () =>
      (await call<BacklogMetrics>("GET", "/internal/metrics", { token: env.METRICS_TOKEN })).body;
    const before = (await metrics()).webhooks_owed;
    const customer = await createCustomer("dispatch-metrics-webhooks");
    const image = await uploadPng(customer.key, 64, 64);
    const owing: string[] = [];
    for (const strength of [0.5, 0.6]) {
      const accepted = await submitAccepted(customer.key, {
        task: "img2img",
        image,
        strength,
        webhook_url: `${inject("webhookReceiver")}/hooks/metrics-owed`,
      });
      // Settled with the webhook queue down: the settlement's outbox row stays, as it would in a Queues outage.
      const ended = await finishEdit(envWithWebhookQueue(unavailableQueue), {
        editId: accepted.id,
        status: "canceled",
        nowMs: Date.now(),
      });
      expect(ended).toBe(true);
      await dispatcherStub(env).cancel(accepted.id);
      owing.push(accepted.id);
    }
    expect((await metrics()).webhooks_owed).toBe(before + 2);

    // Queued at last (the sweep's path): no longer owed.
    await clearOwedWebhooks(env.DB, owing.slice(0, 1));
    expect((await metrics()).webhooks_owed).toBe(before + 1);
    await clearOwedWebhooks(env.DB, owing);
    expect((await metrics()).webhooks_owed).toBe(before);
  });
});

describe("replayed runner requests", () => {
  // Its own model, so that these jobs never meet another test's claim.
  const model = "sd15-test";
  const submitFor = async (label: string, strengths: number[]) => {
    const customer = await createCustomer(label);
    const image = await uploadPng(customer.key, 64, 64);
    const edits = [];
    for (const strength of strengths) {
      edits.push(await submitAccepted(customer.key, { task: "img2img", image, strength, model }));
    }
    return { customer, edits };
  };
  const leaseDeadline = (editId: string) =>
    runInDurableObject(dispatcherStub(env), (_, state) =>
      state.storage.sql
        .exec<{ expires_at_ms: number }>("SELECT expires_at_ms FROM leases WHERE edit_id = ?", editId)
        .one(),
    ).then((row) => row.expires_at_ms);

  it("a claim sent again is refused and claims no second job", async () => {
    const { customer, edits } = await submitFor("replay-claim", [0.5, 0.6]);
    const [first, second] = edits as [EditAccepted, EditAccepted];
    const claim = await signedRunnerRequest<ClaimedJob>("/internal/claim", {
      runner_id: "runner-replay",
      models: [model],
    });
    const claimed = await claim();
    expect(claimed).toMatchObject({ status: 200, body: { id: first.id } });

    const replayed = await claim();
    expect(expectProblem(replayed, 401, "unauthorized").detail).toContain("already received");
    expect(await queuedEditIds()).toContain(second.id);
    expect(await editRow(second.id)).toMatchObject({ status: "queued", attempts: 0, lease_id: null });

    await jobCall(first.id, "release", { lease_id: claimed.body.lease.id });
    for (const edit of edits) await call("POST", `/v1/edits/${edit.id}/cancel`, { token: customer.key });
  });

  it("a heartbeat sent again is refused and does not extend the lease", async () => {
    const { customer, edits } = await submitFor("replay-heartbeat", [0.5]);
    const edit = edits[0]!;
    const job = await runnerCall<ClaimedJob>("/internal/claim", { runner_id: "runner-replay", models: [model] });
    expect(job.body.id).toBe(edit.id);
    const heartbeat = await signedRunnerRequest<LeaseStatus>(`/internal/jobs/${edit.id}/heartbeat`, {
      lease_id: job.body.lease.id,
    });
    expect((await heartbeat()).status).toBe(200);
    // As if the runner had gone quiet: the lease is close to its end.
    const nearEnd = Date.now() + 5_000;
    await runInDurableObject(dispatcherStub(env), (_, state) => {
      state.storage.sql.exec("UPDATE leases SET expires_at_ms = ? WHERE edit_id = ?", nearEnd, edit.id);
    });

    expect(expectProblem(await heartbeat(), 401, "unauthorized").detail).toContain("already received");
    expect(await leaseDeadline(edit.id)).toBe(nearEnd);

    await jobCall(edit.id, "release", { lease_id: job.body.lease.id });
    await call("POST", `/v1/edits/${edit.id}/cancel`, { token: customer.key });
  });

  it("a completion sent again is refused and captures nothing more", async () => {
    const { customer, edits } = await submitFor("replay-complete", [0.5]);
    const edit = edits[0]!;
    const job = (await runnerCall<ClaimedJob>("/internal/claim", { runner_id: "runner-replay", models: [model] })).body;
    const complete = await signedRunnerRequest<JobStateResponse>(
      `/internal/jobs/${edit.id}/complete`,
      await storeOutput(job),
    );
    expect(await complete()).toMatchObject({ status: 200, body: { status: "succeeded" } });
    const settled = await ledgerTotals(customer.account.id);

    expect(expectProblem(await complete(), 401, "unauthorized").detail).toContain("already received");
    expect(await ledgerTotals(customer.account.id)).toEqual(settled);
    expect(settled.kinds).toEqual({ grant: 1, hold: 1, capture: 1 });
  });
});
