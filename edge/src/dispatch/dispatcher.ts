/**
 * @module dispatcher: the Dispatcher Durable Object: the ready queue (jobs waiting for a runner) and the leases (jobs a
 * runner holds) in its SQLite storage, and the alarm that acts when a lease runs out or a job waits too long. D1 stays
 * the record of each edit; the runner writes there are fenced by the lease id too (see billing/ledger.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { jobError } from "@stochedit/shared";
import { finishEdit } from "../billing/settlement.js";
import { type DispatchConfig, readConfig } from "../config.js";
import { requeueEdit } from "../db/edits.js";
import { randomBase62 } from "../ids.js";
import {
  addReady,
  countWork,
  dropLease,
  expiredLeases,
  expiredReady,
  flagLeaseCanceled,
  type LeaseRow,
  leaseReady,
  leaseStillExpired,
  liveLease,
  nextDeadlineMs,
  oldestReady,
  type ReadyRow,
  removeReady,
  removeReadyEntry,
  renewLease,
  requeueLease,
  workListSchema,
} from "./work-list.js";

export interface ReadyJob {
  editId: string;
  accountId: string;
  model: string;
  enqueuedAtMs: number;
}

/** removed: it was waiting and is gone; lease_marked: a runner holds it and learns of the cancel at its next call. */
export type CancelOutcome = "removed" | "lease_marked" | "absent";

export interface Backlog {
  ready: number;
  leased: number;
  oldestReadyAtMs: number | null;
}

export interface LeaseGrant {
  editId: string;
  leaseId: string;
  attempt: number;
  expiresAtMs: number;
  ttlMs: number;
}

/** held: the caller's lease is live; canceled: live but the edit was canceled; lost: expired, superseded or unknown. */
export type LeaseHold = "held" | "canceled" | "lost";

export type LeaseRenewal =
  | { hold: "held" | "canceled"; expiresAtMs: number; writeProgress: boolean }
  | { hold: "lost" };

/** requeued: waiting again with `attempts` counted; final: the caller must settle the edit, then `finish` the lease. */
export type AfterLease =
  | { outcome: "requeued"; attempts: number }
  | { outcome: "final"; attempt: number }
  | { outcome: "canceled" }
  | { outcome: "lost" };

export type AfterRelease = Exclude<AfterLease, { outcome: "final" }>;

/** When the alarm's D1 work fails (D1 unreachable), it tries again this much later instead of at once. */
const alarmRetryMs = 5_000;

export class Dispatcher extends DurableObject<Env> {
  #settings: DispatchConfig | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of workListSchema) ctx.storage.sql.exec(statement);
  }

  /** Read on first use, so a bad var fails the call that needs it rather than the object's construction. */
  private get settings(): DispatchConfig {
    this.#settings ??= readConfig(this.env).dispatch;
    return this.#settings;
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  /** Appends a job to the ready queue (first in, first out). Enqueuing an edit twice keeps one entry. */
  async enqueue(job: ReadyJob): Promise<void> {
    addReady(this.sql, { ...job, queuedAtMs: job.enqueuedAtMs });
    await this.scheduleAlarm(job.enqueuedAtMs + this.settings.queuedJobTtlMs);
  }

  /** The oldest waiting job for one of `models`, now leased to `runnerId`; null when none waits. */
  async claim(runnerId: string, models: readonly string[]): Promise<LeaseGrant | null> {
    const nowMs = Date.now();
    const { leaseTtlMs, queuedJobTtlMs } = this.settings;
    const grant = this.ctx.storage.transactionSync((): LeaseGrant | null => {
      const job = oldestReady(this.sql, models, queuedJobTtlMs, nowMs);
      if (!job) return null;
      const lease: LeaseGrant = {
        editId: job.edit_id,
        leaseId: `lease_${randomBase62(32)}`,
        attempt: job.attempts + 1,
        expiresAtMs: nowMs + leaseTtlMs,
        ttlMs: leaseTtlMs,
      };
      leaseReady(this.sql, job, { ...lease, runnerId });
      return lease;
    });
    if (grant) await this.scheduleAlarm(grant.expiresAtMs);
    return grant;
  }

  /** Extends a live lease by the TTL; the answer says whether the edit was canceled meanwhile. */
  heartbeat(editId: string, leaseId: string): LeaseRenewal {
    return this.renew(editId, leaseId, undefined);
  }

  /**
   * A heartbeat that also says whether the caller should write this progress to D1: at most one write per
   * PROGRESS_WRITE_MIN_MS per lease, and always the last step.
   */
  progress(editId: string, leaseId: string, step: number, total: number): LeaseRenewal {
    return this.renew(editId, leaseId, { final: step >= total });
  }

  /** Whether the caller's lease is live, for complete and fail before they settle the edit. */
  holds(editId: string, leaseId: string): LeaseHold {
    const lease = liveLease(this.sql, editId, leaseId, Date.now());
    if (!lease) return "lost";
    return lease.cancel_requested ? "canceled" : "held";
  }

  /** Drops the lease once its edit is settled (or found already ended). Only that lease: a successor's stays. */
  finish(editId: string, leaseId: string): void {
    dropLease(this.sql, editId, leaseId);
  }

  /**
   * After a failure report: a retryable one queues the job again while attempts remain; otherwise the caller ends the
   * edit. A canceled edit's lease is dropped (the edit is already settled).
   */
  async afterFailure(editId: string, leaseId: string, retryable: boolean): Promise<AfterLease> {
    const nowMs = Date.now();
    const outcome = this.ctx.storage.transactionSync((): AfterLease => {
      const lease = liveLease(this.sql, editId, leaseId, nowMs);
      if (!lease) return { outcome: "lost" };
      if (lease.cancel_requested) {
        dropLease(this.sql, editId, leaseId);
        return { outcome: "canceled" };
      }
      if (!retryable || lease.attempt >= this.settings.maxAttempts) return { outcome: "final", attempt: lease.attempt };
      requeueLease(this.sql, lease, lease.attempt, nowMs);
      return { outcome: "requeued", attempts: lease.attempt };
    });
    if (outcome.outcome === "requeued") await this.scheduleAlarm(nowMs + this.settings.queuedJobTtlMs);
    return outcome;
  }

  /** A hand-back (runner shutdown, or its answer to a cancel): queued again without counting the attempt. */
  async release(editId: string, leaseId: string): Promise<AfterRelease> {
    const nowMs = Date.now();
    const outcome = this.ctx.storage.transactionSync((): AfterRelease => {
      const lease = liveLease(this.sql, editId, leaseId, nowMs);
      if (!lease) return { outcome: "lost" };
      if (lease.cancel_requested) {
        dropLease(this.sql, editId, leaseId);
        return { outcome: "canceled" };
      }
      requeueLease(this.sql, lease, lease.attempt - 1, nowMs);
      return { outcome: "requeued", attempts: lease.attempt - 1 };
    });
    if (outcome.outcome === "requeued") await this.scheduleAlarm(nowMs + this.settings.queuedJobTtlMs);
    return outcome;
  }

  /** Takes a canceled edit off the queue, or flags its lease so the runner stops at its next heartbeat. */
  cancel(editId: string): CancelOutcome {
    if (removeReady(this.sql, editId)) return "removed";
    if (flagLeaseCanceled(this.sql, editId)) return "lease_marked";
    return "absent";
  }

  /** Queue depth for autoscaling and for tests; `exceptModel`'s jobs (the test model's, own runners) left out. */
  backlog(exceptModel: string | null = null): Backlog {
    return countWork(this.sql, exceptModel);
  }

  /**
   * Leases that ran out go back to the queue, or end their edit as failed once the attempts are used up; jobs that
   * waited longer than QUEUED_JOB_TTL_MS expire. D1 is written before an entry leaves for good, so a D1 failure
   * leaves it here for the next alarm rather than an edit that nothing would ever end.
   */
  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    const { queuedJobTtlMs } = this.settings;
    let failures = 0;
    const attempt = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        failures++;
        console.error(
          JSON.stringify({ level: "error", message: "dispatcher alarm step failed", error: String(error) }),
        );
      }
    };
    for (const lease of expiredLeases(this.sql, nowMs)) await attempt(() => this.expireLease(lease));
    for (const job of expiredReady(this.sql, queuedJobTtlMs, nowMs)) await attempt(() => this.expireWaitingJob(job));
    const nextMs = nextDeadlineMs(this.sql, queuedJobTtlMs);
    if (nextMs !== null) {
      await this.ctx.storage.setAlarm(failures > 0 ? Math.max(nextMs, nowMs + alarmRetryMs) : nextMs);
    }
  }

  /** A lease that ran out: its runner is presumed gone. */
  private async expireLease(lease: LeaseRow): Promise<void> {
    // The edit was canceled (and settled) while leased: nothing to retry or refund.
    if (lease.cancel_requested) return dropLease(this.sql, lease.edit_id, lease.lease_id);
    const nowMs = Date.now();
    if (lease.attempt < this.settings.maxAttempts) {
      const requeued = this.ctx.storage.transactionSync(() => {
        if (!leaseStillExpired(this.sql, lease.lease_id, nowMs)) return false;
        requeueLease(this.sql, lease, lease.attempt, nowMs);
        return true;
      });
      if (requeued) {
        await requeueEdit(this.env.DB, { editId: lease.edit_id, leaseId: lease.lease_id, attempts: lease.attempt });
      }
      return;
    }
    if (!leaseStillExpired(this.sql, lease.lease_id, nowMs)) return;
    await finishEdit(this.env, {
      editId: lease.edit_id,
      status: "failed",
      error: jobError(
        "attempts_exhausted",
        `the job was tried ${lease.attempt} times; on the last attempt the runner stopped reporting (runner_lost: its lease expired)`,
      ),
      fence: { kind: "lease", leaseId: lease.lease_id },
      nowMs,
    });
    dropLease(this.sql, lease.edit_id, lease.lease_id);
  }

  /** A job no runner took within QUEUED_JOB_TTL_MS. */
  private async expireWaitingJob(job: ReadyRow): Promise<void> {
    await finishEdit(this.env, {
      editId: job.edit_id,
      status: "expired",
      error: jobError(
        "expired",
        `no runner serving model ${job.model} took the job within ${this.settings.queuedJobTtlMs / 1000} s`,
      ),
      fence: { kind: "waiting", lastLeaseId: job.last_lease_id },
      nowMs: Date.now(),
    });
    // Settled or not, this entry leaves the queue: not settled means the edit already ended, or a runner claimed it
    // while D1 was written (then the entry is gone, or back under a newer lease, which this leaves alone).
    removeReadyEntry(this.sql, job);
  }

  private renew(editId: string, leaseId: string, progress: { final: boolean } | undefined): LeaseRenewal {
    const nowMs = Date.now();
    const { leaseTtlMs, progressWriteMinMs } = this.settings;
    return this.ctx.storage.transactionSync((): LeaseRenewal => {
      const lease = liveLease(this.sql, editId, leaseId, nowMs);
      if (!lease) return { hold: "lost" };
      const writeProgress =
        progress !== undefined &&
        (progress.final ||
          lease.progress_written_at_ms === null ||
          nowMs - lease.progress_written_at_ms >= progressWriteMinMs);
      const expiresAtMs = nowMs + leaseTtlMs;
      renewLease(this.sql, leaseId, { expiresAtMs, progressWrittenAtMs: writeProgress ? nowMs : null });
      return { hold: lease.cancel_requested ? "canceled" : "held", expiresAtMs, writeProgress };
    });
  }

  /**
   * Makes the alarm fire by `dueMs` at the latest. Extending a lease only moves deadlines later, so heartbeats set no
   * alarm: an early alarm finds nothing due and sets the next one.
   */
  private async scheduleAlarm(dueMs: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > dueMs) await this.ctx.storage.setAlarm(dueMs);
  }
}

/** One dispatcher for the whole deployment; shard by model or region (idFromName) when one object is not enough. */
export function dispatcherStub(env: Env): DurableObjectStub<Dispatcher> {
  return env.DISPATCHER.get(env.DISPATCHER.idFromName("global"));
}
