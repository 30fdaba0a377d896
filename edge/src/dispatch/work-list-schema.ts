/** @module work-list-schema: the Dispatcher's SQLite tables (the ready queue and the leases) and their rows. */

/** Types, not interfaces: SqlStorage rows must be index-signature compatible. */
export type LeaseRow = {
  lease_id: string;
  edit_id: string;
  seq: number;
  account_id: string;
  model: string;
  runner_id: string;
  attempt: number;
  expires_at_ms: number;
  cancel_requested: number;
  progress_written_at_ms: number | null;
};

export type ReadyRow = {
  seq: number;
  edit_id: string;
  account_id: string;
  model: string;
  queued_at_ms: number;
  attempts: number;
  last_lease_id: string | null;
};

/** Idempotent: the object may be constructed many times over the same storage. */
export const workListSchema = [
  // attempts: attempts counted so far; last_lease_id: the lease it came back from (null: never claimed).
  `CREATE TABLE IF NOT EXISTS ready (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     edit_id TEXT NOT NULL UNIQUE,
     account_id TEXT NOT NULL,
     model TEXT NOT NULL,
     queued_at_ms INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_lease_id TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS ready_model ON ready (model, seq)",
  // seq: the job's place in the ready queue, kept so a job that comes back is first in line again.
  `CREATE TABLE IF NOT EXISTS leases (
     lease_id TEXT PRIMARY KEY,
     edit_id TEXT NOT NULL UNIQUE,
     seq INTEGER NOT NULL,
     account_id TEXT NOT NULL,
     model TEXT NOT NULL,
     runner_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL,
     cancel_requested INTEGER NOT NULL DEFAULT 0,
     progress_written_at_ms INTEGER
   )`,
  "CREATE INDEX IF NOT EXISTS leases_expiry ON leases (expires_at_ms)",
];
