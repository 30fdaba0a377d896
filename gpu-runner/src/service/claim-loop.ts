/** @module claim-loop: each slot claims a job, runs it, and claims again; idle or failing claims back off. */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClaimedJob } from "@stochedit/shared";
import { type BackoffRange, backoffDelayMs } from "./backoff.js";
import type { Logger } from "./logger.js";
import type { ClaimResult, JobOutcome, RunnerMetrics } from "./runner-metrics.js";

export interface ClaimLoopOptions {
  readonly slots: number;
  /** One claim call: a job, or undefined when none is ready. */
  readonly claim: () => Promise<ClaimedJob | undefined>;
  readonly run: (job: ClaimedJob) => Promise<JobOutcome>;
  readonly backoff: BackoffRange;
  readonly metrics: RunnerMetrics;
  readonly log: Logger;
  readonly random?: () => number;
}

export interface ClaimLoop {
  /** Claims no more jobs; jobs already running go on (the caller bounds them with its grace period). */
  stop(): void;
  /** Settles when every slot has stopped claiming and its job, if any, has ended. */
  readonly done: Promise<void>;
}

export function startClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  const stopping = new AbortController();
  const slots = Array.from({ length: options.slots }, (_, slot) => runSlot(slot, options, stopping.signal));
  return {
    stop: () => stopping.abort(),
    done: Promise.all(slots).then(() => undefined),
  };
}

async function runSlot(slot: number, options: ClaimLoopOptions, stopping: AbortSignal): Promise<void> {
  const { metrics, log } = options;
  let misses = 0;
  while (!stopping.aborted) {
    // A claim in flight is not interrupted by a stop: the edge may already have leased a job to it, and that job
    // is better run (or released) than left to time out.
    const job = await claimOnce(options);
    if (!job) {
      const delayMs = backoffDelayMs(misses++, options.backoff, options.random);
      await sleep(delayMs, undefined, { signal: stopping }).catch(() => undefined);
      continue;
    }
    misses = 0;
    metrics.busySlots.inc();
    try {
      await options.run(job);
    } catch (error) {
      // runClaimedJob reports its own failures; reaching here is a bug, and the slot must live on.
      log("error", "job runner threw", { slot, job: job.id, error: (error as Error).message });
    } finally {
      metrics.busySlots.dec();
    }
  }
}

async function claimOnce(options: ClaimLoopOptions): Promise<ClaimedJob | undefined> {
  const started = performance.now();
  let result: ClaimResult = "error";
  try {
    const job = await options.claim();
    result = job ? "job" : "empty";
    return job;
  } catch (error) {
    options.log("warn", "claim failed", { error: (error as Error).message });
    return undefined;
  } finally {
    options.metrics.claimSeconds.observe({ result }, (performance.now() - started) / 1000);
  }
}
