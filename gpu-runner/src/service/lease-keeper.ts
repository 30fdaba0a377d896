/** @module lease-keeper: heartbeats that keep a job's lease alive, and the stop they trigger (cancel, lost lease). */
import type { LeaseStatus } from "@stochedit/shared";
import { type EdgeClient, LeaseLost } from "./edge-client.js";
import { JobStop } from "./job-stop.js";
import type { Logger } from "./logger.js";

export interface LeaseKeeperOptions {
  readonly edge: Pick<EdgeClient, "heartbeat">;
  readonly jobId: string;
  readonly leaseId: string;
  readonly leaseTtlMs: number;
  readonly intervalMs: number;
  /** Called once, with why the job must stop. */
  readonly stop: (reason: JobStop) => void;
  readonly log: Logger;
  readonly nowMs?: () => number;
}

export interface LeaseKeeper {
  /** An extension the edge granted to a call sent at `sentAtMs` (a heartbeat, or a progress report). */
  extended(sentAtMs: number, status: LeaseStatus): void;
  /** Hands on a lost lease seen by another call (progress). */
  lost(error: LeaseLost): void;
  /**
   * Stops the job as lease_lost if the lease has run out on the runner's clock, without waiting for the next
   * heartbeat tick: a process that was paused (or starved) past its lease must not upload over the output of the
   * runner that took the job over.
   */
  checkNotExpired(): void;
  /** No more heartbeats (the job ended). */
  close(): void;
}

/**
 * Heartbeats every `intervalMs`. The lease is taken to last `leaseTtlMs` from when the extending call was
 * sent (the runner's own clock: no trust in clock agreement with the edge); if that passes with no successful
 * extension, the job stops as lease_lost, since the edge will have handed it to another runner by now.
 */
export function startLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const nowMs = options.nowMs ?? Date.now;
  let validUntilMs = nowMs() + options.leaseTtlMs;
  let stopped = false;
  const stop = (reason: JobStop) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    options.stop(reason);
  };
  const keeper: LeaseKeeper = {
    extended(sentAtMs, status) {
      validUntilMs = Math.max(validUntilMs, sentAtMs + options.leaseTtlMs);
      if (status.cancel_requested) stop(new JobStop("canceled", "the edit was canceled"));
    },
    lost(error) {
      stop(new JobStop("lease_lost", error.message));
    },
    checkNotExpired() {
      if (nowMs() >= validUntilMs) {
        stop(new JobStop("lease_lost", `no heartbeat succeeded within the ${options.leaseTtlMs} ms lease`));
      }
    },
    close() {
      stopped = true;
      clearInterval(timer);
    },
  };
  const beat = async () => {
    keeper.checkNotExpired();
    if (stopped) return;
    const sentAtMs = nowMs();
    try {
      const status = await options.edge.heartbeat(options.jobId, { lease_id: options.leaseId });
      if (!stopped) keeper.extended(sentAtMs, status);
    } catch (error) {
      if (error instanceof LeaseLost) keeper.lost(error);
      else options.log("warn", "heartbeat failed", { job: options.jobId, error: (error as Error).message });
    }
  };
  const timer = setInterval(() => void beat(), options.intervalMs);
  return keeper;
}
