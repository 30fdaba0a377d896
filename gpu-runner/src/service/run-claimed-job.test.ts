import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClaimedJob } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { maskOf, pngOf } from "../image/image-fixtures.js";
import { closeSdModels, loadSdModel } from "../model/sd-model.js";
import { ensureTinyModels } from "../model/tiny/write-tiny-model.js";
import { EdgeClient } from "./edge-client.js";
import { jsonLogger } from "./logger.js";
import { type JobContext, runClaimedJob } from "./run-claimed-job.js";
import { createRunnerMetrics } from "./runner-metrics.js";
import { claimedJob, type JobSpec } from "./testing/claimed-job.js";
import { type LocalS3, startLocalS3 } from "./testing/local-s3.js";
import { type ProtocolEdge, startProtocolEdge } from "./testing/protocol-edge.js";

let root: string;
let edge: ProtocolEdge;
let s3: LocalS3;
let context: JobContext;
const logLines: string[] = [];

/** Enough model steps (20 drag operations of 1000) that a job is still running when the test stops it. */
const longDrag: JobSpec["request"] = {
  task: "drag",
  steps: 1000,
  t0: 1,
  points: Array.from({ length: 20 }, () => ({ from: [20, 20], to: [40, 30] })),
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-runner-job-"));
  [edge, s3] = await Promise.all([startProtocolEdge(), startLocalS3(), ensureTinyModels(root)]);
  await s3.put("in/photo.png", await pngOf(64, 72, (x, y) => [x * 4, y * 3, 128]), "image/png");
  await s3.put("in/mask.png", await maskOf(64, 72, (x) => x >= 16 && x < 40), "image/png");
  await s3.put("in/corrupt.png", new Uint8Array(Buffer.from("\x89PNG\r\n\x1a\nnot really a png")), "image/png");
  context = {
    config: {
      modelName: "stochedit-mini",
      heartbeatMaxMs: 10_000,
      progressMinMs: 1,
      httpTimeoutMs: 5_000,
      maxDownloadBytes: 1_000_000,
    },
    edge: new EdgeClient({ baseUrl: edge.url, hmacSecret: edge.secret, timeoutMs: 5_000, retryDelayMs: () => 0 }),
    model: () => loadSdModel(join(root, "sd15-fp32"), { executionProvider: "cpu" }),
    metrics: createRunnerMetrics(1),
    log: jsonLogger({}, (line) => logLines.push(line)),
    shutdown: new AbortController().signal,
  };
});
afterAll(async () => {
  await closeSdModels();
  await Promise.all([edge.close(), s3.close(), rm(root, { recursive: true, force: true })]);
});
afterEach(() => {
  edge.answerLease(() => ({ status: { lease_expires_at: new Date().toISOString(), cancel_requested: false } }));
  edge.answerFinal(() => 200);
});

const callsOf = (job: ClaimedJob) => edge.calls.filter((call) => call.jobId === job.id);
const finalCallsOf = (job: ClaimedJob) =>
  callsOf(job).filter((call) => !["heartbeat", "progress", "preview"].includes(call.action));

describe("runClaimedJob", () => {
  it("runs a drag, uploads the output and completes with its hash, size and dimensions", async () => {
    const job = await claimedJob(s3, {
      request: { task: "drag", steps: 20, points: [{ from: [20, 30], to: [36, 26] }] },
      imageKey: "in/photo.png",
    });
    expect(await runClaimedJob(job, context)).toBe("succeeded");

    const stored = await s3.get(job.output.key);
    expect(stored?.contentType).toBe("image/png");
    const bytes = stored?.bytes ?? new Uint8Array();
    const [complete, ...others] = finalCallsOf(job);
    expect(others).toEqual([]);
    expect(complete?.action).toBe("complete");
    expect(complete?.body).toMatchObject({
      lease_id: job.lease.id,
      output: {
        width: 64,
        height: 72,
        bytes: bytes.byteLength,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        content_type: "image/png",
      },
    });
    expect(Object.keys(complete?.body.timings as object).sort()).toEqual(["download", "edit", "upload"]);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 64, height: 72, format: "png" });
    const progress = callsOf(job).filter((call) => call.action === "progress");
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((call) => call.body.total === 12 && call.body.lease_id === job.lease.id)).toBe(true);
  });

  it("sends every preview, in order, before it completes, and times them within the edit", async () => {
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.5, steps: 12, previews: 3 },
      imageKey: "in/photo.png",
    });
    expect(await runClaimedJob(job, context)).toBe("succeeded");
    const calls = callsOf(job).filter((call) => call.action === "preview" || call.action === "complete");
    expect(calls.map((call) => [call.action, call.body.index])).toEqual([
      ["preview", 0],
      ["preview", 1],
      ["preview", 2],
      ["complete", undefined],
    ]);
    expect(calls.slice(0, 3).map((call) => call.body.step)).toEqual([2, 4, 6]);
    for (const call of calls.slice(0, 3)) {
      expect(call.body).toMatchObject({ lease_id: job.lease.id, total: 6, width: 64, height: 72 });
      const jpeg = Buffer.from(call.body.data as string, "base64");
      expect(await sharp(jpeg).metadata()).toMatchObject({ format: "jpeg", width: 64, height: 72 });
    }
    const timings = calls[3]!.body.timings as Record<string, number>;
    expect(Object.keys(timings).sort()).toEqual(["download", "edit", "previews", "upload"]);
    expect(timings.previews).toBeGreaterThan(0);
    expect(timings.previews).toBeLessThanOrEqual(timings.edit!);
  });

  it("still completes when a preview call fails, and sends the previews after it", async () => {
    edge.answerLease((call) =>
      call.action === "preview" && call.body.index === 0
        ? { unavailable: true }
        : { status: { lease_expires_at: new Date(Date.now() + 60_000).toISOString(), cancel_requested: false } },
    );
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.5, steps: 12, previews: 2 },
      imageKey: "in/photo.png",
    });
    expect(await runClaimedJob(job, context)).toBe("succeeded");
    const indices = callsOf(job)
      .filter((call) => call.action === "preview")
      .map((call) => call.body.index);
    expect(indices).toEqual([0, 1]);
    expect(logLines.some((line) => line.includes("preview report failed") && line.includes(job.id))).toBe(true);
  });

  it("stops without completing when a preview call finds the lease lost", async () => {
    edge.answerLease((call) =>
      call.action === "preview"
        ? { leaseLost: true }
        : { status: { lease_expires_at: new Date(Date.now() + 60_000).toISOString(), cancel_requested: false } },
    );
    const job = await claimedJob(s3, {
      request: { ...longDrag, previews: 4 },
      imageKey: "in/photo.png",
    });
    expect(await runClaimedJob(job, context)).toBe("lease_lost");
    expect(finalCallsOf(job)).toEqual([]);
    expect(callsOf(job).filter((call) => call.action === "preview")).toHaveLength(1);
  });

  it("sends no preview when none is asked for", async () => {
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.5, steps: 8 },
      imageKey: "in/photo.png",
    });
    expect(await runClaimedJob(job, context)).toBe("succeeded");
    expect(callsOf(job).filter((call) => call.action === "preview")).toEqual([]);
  });

  it("runs an inpaint with its mask into the requested format", async () => {
    const job = await claimedJob(s3, {
      request: { task: "inpaint", steps: 8, output_format: "webp" },
      imageKey: "in/photo.png",
      maskKey: "in/mask.png",
    });
    expect(await runClaimedJob(job, context)).toBe("succeeded");
    const stored = await s3.get(job.output.key);
    expect(stored?.contentType).toBe("image/webp");
    expect(await sharp(stored?.bytes).metadata()).toMatchObject({ width: 64, height: 72, format: "webp" });
  });

  const failing: [string, JobSpec["request"], string, string][] = [
    ["a corrupt image", { task: "img2img", strength: 0.5 }, "in/corrupt.png", "image_invalid"],
    ["an image never uploaded", { task: "img2img", strength: 0.5 }, "in/missing.png", "image_missing"],
    [
      "a point outside",
      { task: "drag", points: [{ from: [10, 10], to: [70, 10] }] },
      "in/photo.png",
      "points_outside_image",
    ],
  ];
  it.each(failing)("fails %s with its code, uploading nothing", async (_name, request, imageKey, code) => {
    const job = await claimedJob(s3, { request, imageKey });
    expect(await runClaimedJob(job, context)).toBe("failed");
    expect(finalCallsOf(job)).toEqual([
      { action: "fail", jobId: job.id, body: { lease_id: job.lease.id, error: expect.objectContaining({ code }) } },
    ]);
    expect(await s3.get(job.output.key)).toBeUndefined();
  });

  it("refuses an image of another size than the priced one: input_changed, nothing run or uploaded", async () => {
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.5, steps: 10 },
      imageKey: "in/photo.png",
      pricedSize: { width: 64, height: 64 },
    });
    expect(await runClaimedJob(job, context)).toBe("failed");
    expect(finalCallsOf(job)).toEqual([
      {
        action: "fail",
        jobId: job.id,
        body: {
          lease_id: job.lease.id,
          error: {
            code: "input_changed",
            message: expect.stringContaining("the image is 64x72, but the edit was priced for 64x64"),
            retryable: false,
          },
        },
      },
    ]);
    expect(callsOf(job).filter((call) => call.action === "progress")).toEqual([]);
    expect(await s3.get(job.output.key)).toBeUndefined();
  });

  it("fails a job for a model this runner does not serve", async () => {
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.5 },
      imageKey: "in/photo.png",
      model: "sd15",
    });
    expect(await runClaimedJob(job, context)).toBe("failed");
    expect(finalCallsOf(job)[0]?.body.error).toMatchObject({ code: "model_not_found", retryable: false });
  });

  it("stops a canceled job at once and hands its lease back, uploading nothing", async () => {
    const job = await claimedJob(s3, { request: longDrag, imageKey: "in/photo.png" });
    edge.answerLease(() => ({ status: { lease_expires_at: new Date().toISOString(), cancel_requested: true } }));
    expect(await runClaimedJob(job, context)).toBe("canceled");
    expect(finalCallsOf(job)).toEqual([{ action: "release", jobId: job.id, body: { lease_id: job.lease.id } }]);
    expect(await s3.get(job.output.key)).toBeUndefined();
  });

  it("stops without a word once a heartbeat hears the lease is lost", async () => {
    const job = await claimedJob(s3, { request: longDrag, imageKey: "in/photo.png", leaseTtlMs: 150 });
    edge.answerLease((call) => (call.action === "heartbeat" ? { leaseLost: true } : { status: fresh() }));
    expect(await runClaimedJob(job, context)).toBe("lease_lost");
    expect(callsOf(job).some((call) => call.action === "heartbeat")).toBe(true);
    expect(finalCallsOf(job)).toEqual([]);
    expect(await s3.get(job.output.key)).toBeUndefined();
  });

  it("gives up a job whose lease ran out while the edge could not be reached", async () => {
    const job = await claimedJob(s3, { request: longDrag, imageKey: "in/photo.png", leaseTtlMs: 150 });
    edge.answerLease(() => ({ unavailable: true }));
    expect(await runClaimedJob(job, context)).toBe("lease_lost");
    expect(finalCallsOf(job)).toEqual([]);
    expect(await s3.get(job.output.key)).toBeUndefined();
  });

  it("counts a completion the edge refuses as lost lease (another runner finished it)", async () => {
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.3, steps: 10 },
      imageKey: "in/photo.png",
    });
    edge.answerFinal(() => 409);
    expect(await runClaimedJob(job, context)).toBe("lease_lost");
    expect(finalCallsOf(job).map((call) => call.action)).toEqual(["complete"]);
  });

  it("releases a running job when the shutdown grace period ends", async () => {
    const shutdown = new AbortController();
    const job = await claimedJob(s3, { request: longDrag, imageKey: "in/photo.png" });
    const running = runClaimedJob(job, { ...context, shutdown: shutdown.signal });
    await edge.waitFor((call) => call.jobId === job.id && call.action === "progress");
    shutdown.abort();
    expect(await running).toBe("released");
    expect(finalCallsOf(job)).toEqual([{ action: "release", jobId: job.id, body: { lease_id: job.lease.id } }]);
  });
});

function fresh() {
  return { lease_expires_at: new Date(Date.now() + 60_000).toISOString(), cancel_requested: false };
}
