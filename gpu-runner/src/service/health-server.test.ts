import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HealthServer, type HealthState, startHealthServer } from "./health-server.js";
import { createRunnerMetrics } from "./runner-metrics.js";

let state: HealthState = { phase: "loading", runnerId: "gpu-a", model: "stochedit-mini", slots: 2, busySlots: 0 };
const metrics = createRunnerMetrics(2);
let server: HealthServer;

beforeAll(async () => {
  server = await startHealthServer({ host: "127.0.0.1", port: 0, state: () => state, registry: metrics.registry });
});
afterAll(() => server.close());

describe("GET /healthz", () => {
  it("is 503 while the model loads, 200 once ready, 503 again while stopping", async () => {
    const statuses: [number, unknown][] = [];
    for (const phase of ["loading", "ready", "stopping"] as const) {
      state = { ...state, phase, busySlots: phase === "ready" ? 1 : 0 };
      const response = await fetch(`${server.url}/healthz`);
      statuses.push([response.status, await response.json()]);
    }
    const body = { runner_id: "gpu-a", model: "stochedit-mini", slots: 2 };
    expect(statuses).toEqual([
      [503, { status: "loading", ...body, busy_slots: 0 }],
      [200, { status: "ready", ...body, busy_slots: 1 }],
      [503, { status: "stopping", ...body, busy_slots: 0 }],
    ]);
  });
});

describe("GET /metrics", () => {
  it("serves the Prometheus text format with the runner's series", async () => {
    metrics.jobs.inc({ outcome: "succeeded" }, 3);
    metrics.stepSeconds.observe({ step: "edit" }, 0.2);
    metrics.claimSeconds.observe({ result: "empty" }, 0.004);
    metrics.busySlots.set(1);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('stochedit_runner_jobs_total{outcome="succeeded"} 3');
    expect(text).toContain('stochedit_runner_jobs_total{outcome="failed"} 0');
    expect(text).toContain('stochedit_runner_step_duration_seconds_bucket{le="0.25",step="edit"} 1');
    expect(text).toContain('stochedit_runner_claim_duration_seconds_count{result="empty"} 1');
    expect(text).toContain("stochedit_runner_busy_slots 1");
    expect(text).toContain("stochedit_runner_slots 2");
    expect(text).toMatch(/^stochedit_runner_process_resident_memory_bytes \d+/m);
  });

  it("answers other paths with 404 and other methods with 405", async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
  });
});
