import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngOf } from "../image/image-fixtures.js";
import { ensureTinyModels } from "../model/tiny/write-tiny-model.js";
import type { RunnerConfig } from "./config.js";
import { jsonLogger } from "./logger.js";
import { type RunnerService, startRunnerService } from "./runner-service.js";
import { claimedJob, type JobSpec } from "./testing/claimed-job.js";
import { type LocalS3, startLocalS3 } from "./testing/local-s3.js";
import { type ProtocolEdge, startProtocolEdge } from "./testing/protocol-edge.js";

let root: string;
let edge: ProtocolEdge;
let s3: LocalS3;
const logLines: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-runner-service-"));
  [edge, s3] = await Promise.all([startProtocolEdge(), startLocalS3(), ensureTinyModels(root)]);
  await s3.put("in/photo.png", await pngOf(64, 64, (x, y) => [x * 4, y * 4, 90]), "image/png");
});
afterAll(() => Promise.all([edge.close(), s3.close(), rm(root, { recursive: true, force: true })]));

function start(overrides: Partial<RunnerConfig> = {}): Promise<RunnerService> {
  const config: RunnerConfig = {
    edgeUrl: edge.url,
    hmacSecret: edge.secret,
    runnerId: "runner-test",
    modelName: "stochedit-mini",
    slots: 1,
    health: { host: "127.0.0.1", port: 0 },
    heartbeatMaxMs: 10_000,
    progressMinMs: 1,
    idleBackoff: { minMs: 5, maxMs: 20 },
    shutdownGraceMs: 60_000,
    httpTimeoutMs: 5_000,
    maxDownloadBytes: 1_000_000,
    requireGpu: false,
    ...overrides,
  };
  return startRunnerService(config, {
    log: jsonLogger({}, (line) => logLines.push(line)),
    modelDir: join(root, "sd15-fp32"),
    model: { executionProvider: "cpu" },
  });
}

const longDrag: JobSpec["request"] = {
  task: "drag",
  steps: 1000,
  t0: 1,
  points: Array.from({ length: 20 }, () => ({ from: [20, 20], to: [40, 30] })),
};

describe("the runner service", () => {
  it("is ready once the model is loaded, claims while idle, runs what it claims and counts it", async () => {
    const service = await start();
    const health = await fetch(`${service.healthUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ready", runner_id: "runner-test", slots: 1 });

    const claimsBefore = edge.calls.filter((call) => call.action === "claim").length;
    await edge.waitFor(() => edge.calls.filter((call) => call.action === "claim").length >= claimsBefore + 2);
    const job = await claimedJob(s3, {
      request: { task: "img2img", strength: 0.5, steps: 10 },
      imageKey: "in/photo.png",
    });
    edge.queue(job);
    await edge.waitFor((call) => call.jobId === job.id && call.action === "complete");
    await service.stop();

    const metrics = await service.metrics.registry.metrics();
    expect(metrics).toContain('stochedit_runner_jobs_total{outcome="succeeded"} 1');
    expect(metrics).toMatch(/stochedit_runner_claim_duration_seconds_count\{result="empty"\} [1-9]/);
    expect(metrics).toContain('stochedit_runner_claim_duration_seconds_count{result="job"} 1');
    expect(metrics).toContain('stochedit_runner_step_duration_seconds_count{step="upload"} 1');
    expect(metrics).toContain("stochedit_runner_busy_slots 0");
    await expect(fetch(`${service.healthUrl}/healthz`)).rejects.toThrow();
  });

  it("on stop, lets the running job finish within the grace period and claims nothing more", async () => {
    const service = await start({ shutdownGraceMs: 60_000 });
    const job = await claimedJob(s3, {
      request: { task: "drag", steps: 100, t0: 1, points: [{ from: [8, 8], to: [30, 30] }] },
      imageKey: "in/photo.png",
    });
    edge.queue(job);
    await edge.waitFor((call) => call.jobId === job.id && call.action === "progress");
    const stopped = service.stop();
    const claimsAtStop = edge.calls.filter((call) => call.action === "claim").length;
    await stopped;
    expect(edge.calls.filter((call) => call.jobId === job.id && call.action === "complete")).toHaveLength(1);
    expect(edge.calls.filter((call) => call.action === "claim")).toHaveLength(claimsAtStop);
  });

  it("on stop, hands back a job that outlasts the grace period", async () => {
    const service = await start({ shutdownGraceMs: 1 });
    const job = await claimedJob(s3, { request: longDrag, imageKey: "in/photo.png" });
    edge.queue(job);
    await edge.waitFor((call) => call.jobId === job.id && call.action === "progress");
    await service.stop();
    const finals = edge.calls.filter(
      (call) => call.jobId === job.id && !["progress", "heartbeat"].includes(call.action),
    );
    expect(finals).toEqual([{ action: "release", jobId: job.id, body: { lease_id: job.lease.id } }]);
    expect(await s3.get(job.output.key)).toBeUndefined();
  });
});
