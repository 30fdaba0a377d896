/** @module runner-metrics: the runner's Prometheus metrics (jobs by outcome, step durations, claims, busy slots). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** How a claimed job ended for this runner. */
export type JobOutcome = "succeeded" | "failed" | "canceled" | "released" | "lease_lost" | "unreported";
/** The phases of one job, timed separately; previews (their decodes and JPEG encodes) are part of the edit. */
export type JobStep = "download" | "edit" | "previews" | "upload" | "complete";
export type ClaimResult = "job" | "empty" | "error";

export interface RunnerMetrics {
  readonly registry: Registry;
  readonly jobs: Counter<"outcome">;
  readonly jobFailures: Counter<"code">;
  readonly stepSeconds: Histogram<"step">;
  readonly claimSeconds: Histogram<"result">;
  readonly busySlots: Gauge;
  readonly slots: Gauge;
  readonly modelReady: Gauge;
}

/** A fresh registry per service, so tests (and two services in one process) do not share counts. */
export function createRunnerMetrics(slots: number): RunnerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "stochedit_runner_" });
  const metrics: RunnerMetrics = {
    registry,
    jobs: new Counter({
      name: "stochedit_runner_jobs_total",
      help: "Claimed jobs by how they ended for this runner",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: "stochedit_runner_job_failures_total",
      help: "Jobs failed by this runner, by error code",
      labelNames: ["code"],
      registers: [registry],
    }),
    stepSeconds: new Histogram({
      name: "stochedit_runner_step_duration_seconds",
      help: "Time per job phase: download inputs, edit (decode, model, encode), previews (within the edit), upload output, complete call",
      labelNames: ["step"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    claimSeconds: new Histogram({
      name: "stochedit_runner_claim_duration_seconds",
      help: "Latency of claim calls to the edge, by result",
      labelNames: ["result"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    busySlots: new Gauge({
      name: "stochedit_runner_busy_slots",
      help: "Slots running a job now",
      registers: [registry],
    }),
    slots: new Gauge({ name: "stochedit_runner_slots", help: "Slots this runner has", registers: [registry] }),
    modelReady: new Gauge({
      name: "stochedit_runner_model_ready",
      help: "1 once the model is loaded and jobs can run",
      registers: [registry],
    }),
  };
  metrics.slots.set(slots);
  metrics.modelReady.set(0);
  metrics.busySlots.set(0);
  for (const outcome of ["succeeded", "failed", "canceled", "released", "lease_lost", "unreported"] as const) {
    metrics.jobs.inc({ outcome }, 0);
  }
  return metrics;
}
