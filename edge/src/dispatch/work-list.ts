/**
 * @module work-list: the Dispatcher's SQLite tables (the ready queue and the leases), their rows, and the statements
 * on them, as plain functions over the object's SqlStorage (like the D1 queries in db/).
 */

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

/** Appends a job; an edit already queued keeps its entry. */
export function addReady(
  sql: SqlStorage,
  job: { editId: string; accountId: string; model: string; queuedAtMs: number },
): void {
  sql.exec(
    `INSERT INTO ready (edit_id, account_id, model, queued_at_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (edit_id) DO NOTHING`,
    job.editId,
    job.accountId,
    job.model,
    job.queuedAtMs,
  );
}

/** The first waiting job for one of `models` that has not waited past the TTL (those are the alarm's). */
export function oldestReady(
  sql: SqlStorage,
  models: readonly string[],
  queuedJobTtlMs: number,
  nowMs: number,
): ReadyRow | undefined {
  return sql
    .exec<ReadyRow>(
      `SELECT * FROM ready WHERE model IN (SELECT value FROM json_each(?)) AND queued_at_ms + ? > ?
       ORDER BY seq LIMIT 1`,
      JSON.stringify(models),
      queuedJobTtlMs,
      nowMs,
    )
    .toArray()[0];
}

/** Moves a waiting job to the leases. */
export function leaseReady(
  sql: SqlStorage,
  job: ReadyRow,
  lease: { leaseId: string; runnerId: string; attempt: number; expiresAtMs: number },
): void {
  sql.exec("DELETE FROM ready WHERE seq = ?", job.seq);
  sql.exec(
    `INSERT INTO leases (lease_id, edit_id, seq, account_id, model, runner_id, attempt, expires_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    lease.leaseId,
    job.edit_id,
    job.seq,
    job.account_id,
    job.model,
    lease.runnerId,
    lease.attempt,
    lease.expiresAtMs,
  );
}

/** Moves a lease's job back to its old place in the queue, waiting afresh from `nowMs`. */
export function requeueLease(sql: SqlStorage, lease: LeaseRow, attempts: number, nowMs: number): void {
  sql.exec("DELETE FROM leases WHERE lease_id = ?", lease.lease_id);
  sql.exec(
    `INSERT INTO ready (seq, edit_id, account_id, model, queued_at_ms, attempts, last_lease_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    lease.seq,
    lease.edit_id,
    lease.account_id,
    lease.model,
    nowMs,
    attempts,
    lease.lease_id,
  );
}

/** The lease if it is this edit's and its deadline has not passed. */
export function liveLease(sql: SqlStorage, editId: string, leaseId: string, nowMs: number): LeaseRow | undefined {
  return sql
    .exec<LeaseRow>(
      "SELECT * FROM leases WHERE lease_id = ? AND edit_id = ? AND expires_at_ms > ?",
      leaseId,
      editId,
      nowMs,
    )
    .toArray()[0];
}

export function renewLease(
  sql: SqlStorage,
  leaseId: string,
  renewal: { expiresAtMs: number; progressWrittenAtMs: number | null },
): void {
  sql.exec(
    `UPDATE leases SET expires_at_ms = ?, progress_written_at_ms = COALESCE(?, progress_written_at_ms)
     WHERE lease_id = ?`,
    renewal.expiresAtMs,
    renewal.progressWrittenAtMs,
    leaseId,
  );
}

/** Only that lease: a successor's stays. */
export function dropLease(sql: SqlStorage, editId: string, leaseId: string): void {
  sql.exec("DELETE FROM leases WHERE edit_id = ? AND lease_id = ?", editId, leaseId);
}

export function removeReady(sql: SqlStorage, editId: string): boolean {
  return sql.exec("DELETE FROM ready WHERE edit_id = ?", editId).rowsWritten > 0;
}

export function flagLeaseCanceled(sql: SqlStorage, editId: string): boolean {
  return sql.exec("UPDATE leases SET cancel_requested = 1 WHERE edit_id = ?", editId).rowsWritten > 0;
}

/** Jobs waiting and leased, of every model but `exceptModel` (null: of every model). */
export function countWork(
  sql: SqlStorage,
  exceptModel: string | null,
): { ready: number; leased: number; oldestReadyAtMs: number | null } {
  const row = sql
    .exec<{ ready: number; leased: number; oldest: number | null }>(
      `SELECT (SELECT COUNT(*) FROM ready WHERE model IS NOT ?1) AS ready,
              (SELECT COUNT(*) FROM leases WHERE model IS NOT ?1) AS leased,
              (SELECT MIN(queued_at_ms) FROM ready WHERE model IS NOT ?1) AS oldest`,
      exceptModel,
    )
    .one();
  return { ready: row.ready, leased: row.leased, oldestReadyAtMs: row.oldest };
}

export function expiredLeases(sql: SqlStorage, nowMs: number): LeaseRow[] {
  return sql.exec<LeaseRow>("SELECT * FROM leases WHERE expires_at_ms <= ? ORDER BY expires_at_ms", nowMs).toArray();
}

export function expiredReady(sql: SqlStorage, queuedJobTtlMs: number, nowMs: number): ReadyRow[] {
  return sql
    .exec<ReadyRow>("SELECT * FROM ready WHERE queued_at_ms + ? <= ? ORDER BY seq", queuedJobTtlMs, nowMs)
    .toArray();
}

/** Whether the lease is still there and still past its deadline (a heartbeat or a complete may have come since). */
export function leaseStillExpired(sql: SqlStorage, leaseId: string, nowMs: number): boolean {
  return (
    sql.exec("SELECT 1 FROM leases WHERE lease_id = ? AND expires_at_ms <= ?", leaseId, nowMs).toArray().length > 0
  );
}

/** Removes exactly this queue entry: not one that came back under a newer lease meanwhile. */
export function removeReadyEntry(sql: SqlStorage, job: ReadyRow): void {
  sql.exec(
    "DELETE FROM ready WHERE seq = ? AND edit_id = ? AND last_lease_id IS ?",
    job.seq,
    job.edit_id,
    job.last_lease_id,
  );
}

/** The earliest lease expiry or waiting-time end; null when nothing waits and nothing is leased. */
export function nextDeadlineMs(sql: SqlStorage, queuedJobTtlMs: number): number | null {
  return sql
    .exec<{ due: number | null }>(
      `SELECT MIN(due) AS due FROM (SELECT MIN(expires_at_ms) AS due FROM leases
                                    UNION ALL SELECT MIN(queued_at_ms) + ? FROM ready)`,
      queuedJobTtlMs,
    )
    .one().due;
}
