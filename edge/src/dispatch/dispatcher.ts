/**
 * @module dispatcher: the Dispatcher Durable Object. It holds the ready queue (jobs waiting for a runner) and the
 * leases (jobs a runner holds) in its SQLite storage; D1 stays the record of each job, this is the work list.
 * Runner-facing RPC methods (claim, heartbeat, complete, fail) come with the dispatch issue and use the same tables.
 */
import { DurableObject } from "cloudflare:workers";

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

/** Idempotent: the object may be constructed many times over the same storage. */
const schema = [
  `CREATE TABLE IF NOT EXISTS ready (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     edit_id TEXT NOT NULL UNIQUE,
     account_id TEXT NOT NULL,
     model TEXT NOT NULL,
     enqueued_at_ms INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE TABLE IF NOT EXISTS leases (
     lease_id TEXT PRIMARY KEY,
     edit_id TEXT NOT NULL UNIQUE,
     account_id TEXT NOT NULL,
     model TEXT NOT NULL,
     runner_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL,
     cancel_requested INTEGER NOT NULL DEFAULT 0
   )`,
  "CREATE INDEX IF NOT EXISTS leases_expiry ON leases (expires_at_ms)",
];

export class Dispatcher extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of schema) ctx.storage.sql.exec(statement);
  }

  /** Appends a job to the ready queue (first in, first out). Enqueuing an edit twice keeps one entry. */
  enqueue(job: ReadyJob): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO ready (edit_id, account_id, model, enqueued_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (edit_id) DO NOTHING`,
      job.editId,
      job.accountId,
      job.model,
      job.enqueuedAtMs,
    );
  }

  /** Takes a canceled edit off the queue, or flags its lease so the runner stops at its next heartbeat. */
  cancel(editId: string): CancelOutcome {
    const sql = this.ctx.storage.sql;
    if (sql.exec("DELETE FROM ready WHERE edit_id = ?", editId).rowsWritten > 0) return "removed";
    if (sql.exec("UPDATE leases SET cancel_requested = 1 WHERE edit_id = ?", editId).rowsWritten > 0) {
      return "lease_marked";
    }
    return "absent";
  }

  /** Queue depth for autoscaling and for tests. */
  backlog(): Backlog {
    const row = this.ctx.storage.sql
      .exec<{ ready: number; leased: number; oldest: number | null }>(
        `SELECT (SELECT COUNT(*) FROM ready) AS ready, (SELECT COUNT(*) FROM leases) AS leased,
                (SELECT MIN(enqueued_at_ms) FROM ready) AS oldest`,
      )
      .one();
    return { ready: row.ready, leased: row.leased, oldestReadyAtMs: row.oldest };
  }
}

/** One dispatcher for the whole deployment; shard by model or region (idFromName) when one object is not enough. */
export function dispatcherStub(env: Env): DurableObjectStub<Dispatcher> {
  return env.DISPATCHER.get(env.DISPATCHER.idFromName("global"));
}
