import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EdgeClient, EdgeRequestError, LeaseLost } from "./edge-client.js";
import { claimedJob } from "./testing/claimed-job.js";
import { type LocalS3, startLocalS3 } from "./testing/local-s3.js";
import { type ProtocolEdge, startProtocolEdge } from "./testing/protocol-edge.js";

let edge: ProtocolEdge;
let s3: LocalS3;
const lease = { lease_id: "lease_0123456789abcdef" };
const client = (secret = edge.secret) =>
  new EdgeClient({ baseUrl: edge.url, hmacSecret: secret, timeoutMs: 5_000, retryDelayMs: () => 0 });

beforeAll(async () => {
  [edge, s3] = await Promise.all([startProtocolEdge(), startLocalS3()]);
});
afterAll(() => Promise.all([edge.close(), s3.close()]));
afterEach(() => {
  edge.answerLease(() => ({ status: { lease_expires_at: new Date().toISOString(), cancel_requested: false } }));
  edge.answerFinal(() => 200);
});

describe("EdgeClient", () => {
  it("claims a queued job, then hears 204 as no job", async () => {
    const job = await claimedJob(s3, { request: { task: "img2img", strength: 0.5 }, imageKey: "a.png" });
    edge.queue(job);
    const claim = { runner_id: "gpu-a", models: ["stochedit-mini"] };
    expect(await client().claim(claim)).toEqual(job);
    expect(await client().claim(claim)).toBeUndefined();
    expect(edge.calls.filter((c) => c.action === "claim").map((c) => c.body)).toEqual([claim, claim]);
  });

  it("signs with the shared secret: a runner with another secret is refused", async () => {
    const refused = client("another-secret-0123456789abcdef!!").heartbeat("ed_0123456789abcdefABCD", lease);
    await expect(refused).rejects.toBeInstanceOf(EdgeRequestError);
    await expect(refused).rejects.toMatchObject({ status: 401, retryable: false, message: /signature mismatch/ });
  });

  it("returns the lease status of heartbeats and progress reports", async () => {
    const status = { lease_expires_at: "2030-01-01T00:00:00.000Z", cancel_requested: true };
    edge.answerLease(() => ({ status }));
    expect(await client().heartbeat("ed_0123456789abcdefABCD", lease)).toEqual(status);
    expect(await client().progress("ed_0123456789abcdefABCD", { ...lease, step: 3, total: 10 })).toEqual(status);
    const progress = await edge.waitFor((c) => c.action === "progress");
    expect(progress).toEqual({
      action: "progress",
      jobId: "ed_0123456789abcdefABCD",
      body: { ...lease, step: 3, total: 10 },
    });
  });

  it("turns 409 lease_lost into LeaseLost", async () => {
    edge.answerLease(() => ({ leaseLost: true }));
    await expect(client().heartbeat("ed_0123456789abcdefABCD", lease)).rejects.toBeInstanceOf(LeaseLost);
    edge.answerFinal(() => 409);
    await expect(client().release("ed_0123456789abcdefABCD", lease)).rejects.toBeInstanceOf(LeaseLost);
  });

  it("retries a final call through server errors, each try signed anew (the stand-in refuses a reused nonce), and gives up after its tries", async () => {
    let answers = [503, 502, 200];
    edge.answerFinal(() => answers.shift() ?? 500);
    const jobId = "ed_RetryRetryRetry0001";
    await client().fail(jobId, { ...lease, error: { code: "image_invalid", message: "bad", retryable: false } });
    expect(edge.calls.filter((c) => c.jobId === jobId)).toHaveLength(3);

    answers = [];
    const givenUp = client().release("ed_RetryRetryRetry0002", lease);
    await expect(givenUp).rejects.toMatchObject({ status: 500, retryable: true });
    expect(edge.calls.filter((c) => c.jobId === "ed_RetryRetryRetry0002")).toHaveLength(4);
  });

  it("does not retry what the edge refused as invalid", async () => {
    edge.answerFinal(() => 422);
    const jobId = "ed_InvalidInvalid0001";
    await expect(client().release(jobId, lease)).rejects.toMatchObject({ status: 422, retryable: false });
    expect(edge.calls.filter((c) => c.jobId === jobId)).toHaveLength(1);
  });
});
