/**
 * @module ledger: every movement of credits, each one D1 batch (a transaction) that changes the account and writes
 * its ledger row together: grant, hold (with the new edit), and settlement (capture or release, and the webhook
 * the ending owes). A test-mode edit (livemode 0) goes through the same steps moving 0 credits: its rows are written,
 * marked livemode 0, so test integrations see the ledger they will see live.
 */
import type { EditStatus, JobError } from "@stochedit/shared";
import type { EditRow } from "../db/edits.js";
import { oweWebhookStatement } from "../db/webhook-outbox.js";

/** Adds credits; false when the account does not exist. */
export async function grantCredits(
  db: D1Database,
  grant: { accountId: string; amountMicro: number; note: string | null; nowMs: number },
): Promise<boolean> {
  const [credited] = await db.batch([
    db
      .prepare("UPDATE accounts SET balance_micro = balance_micro + ?1 WHERE id = ?2")
      .bind(grant.amountMicro, grant.accountId),
    // changes() is the row count of the statement before, in the same transaction: no account, no ledger row.
    db
      .prepare(
        `INSERT INTO ledger_entries (account_id, kind, amount_micro, held_change_micro, edit_id, note, created_at)
         SELECT ?1, 'grant', ?2, 0, NULL, ?3, ?4 WHERE changes() = 1`,
      )
      .bind(grant.accountId, grant.amountMicro, grant.note, grant.nowMs),
  ]);
  return credited!.meta.changes === 1;
}

export type NewEdit = Omit<
  EditRow,
  "charged_micro" | "progress_step" | "attempts" | "error_json" | "output_json" | "lease_id"
>;

export type HoldOutcome = "created" | "insufficient_credits" | "duplicate_idempotency_key";

/**
 * Reserves the price and records the edit in one transaction. The conditional UPDATE is the only place a balance
 * goes down for a new edit: D1 runs statements one at a time, so of many concurrent submissions exactly those the
 * balance covers see `balance_micro >= price`; the rest change nothing and insert nothing.
 */
export async function createEditWithHold(db: D1Database, edit: NewEdit): Promise<HoldOutcome> {
  const heldMicro = edit.livemode ? edit.price_micro : 0;
  const statements = [
    db
      .prepare(
        `UPDATE accounts SET balance_micro = balance_micro - ?1, held_micro = held_micro + ?1
         WHERE id = ?2 AND balance_micro >= ?1`,
      )
      .bind(heldMicro, edit.account_id),
    db
      .prepare(
        `INSERT INTO edits (id, account_id, task, sampler, status, request_json, image_upload_id, mask_upload_id,
           image_key, mask_key, width, height, price_micro, seed, model, progress_total, idempotency_key,
           request_sha256, created_at, started_at, finished_at, retention_seconds, parent_edit_id, livemode)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
           ?24
         WHERE changes() = 1`,
      )
      .bind(
        edit.id,
        edit.account_id,
        edit.task,
        edit.sampler,
        edit.status,
        edit.request_json,
        edit.image_upload_id,
        edit.mask_upload_id,
        edit.image_key,
        edit.mask_key,
        edit.width,
        edit.height,
        edit.price_micro,
        edit.seed,
        edit.model,
        edit.progress_total,
        edit.idempotency_key,
        edit.request_sha256,
        edit.created_at,
        edit.started_at,
        edit.finished_at,
        edit.retention_seconds,
        edit.parent_edit_id,
        edit.livemode,
      ),
    db
      .prepare(
        `INSERT INTO ledger_entries (account_id, kind, amount_micro, held_change_micro, edit_id, note, created_at,
           livemode)
         SELECT ?1, 'hold', -?2, ?2, ?3, NULL, ?4, ?5 WHERE changes() = 1`,
      )
      .bind(edit.account_id, heldMicro, edit.id, edit.created_at, edit.livemode),
  ];
  try {
    const [, inserted] = await db.batch(statements);
    return inserted!.meta.changes === 1 ? "created" : "insufficient_credits";
  } catch (error) {
    // A concurrent request with the same Idempotency-Key won the race; the batch rolled back, hold included.
    if (String(error).includes("UNIQUE constraint failed: edits.account_id, edits.idempotency_key")) {
      return "duplicate_idempotency_key";
    }
    throw error;
  }
}

export type FinalStatus = Exclude<EditStatus, "queued" | "running">;

/**
 * Who may end the edit. none: anyone (a cancel, a failed hand-over). lease: only the holder of this lease, while the
 * edit runs under it (a runner's complete or fail, the expiry of its lease). waiting: only while the edit waits
 * after this lease (null: never claimed), so a job a runner has just claimed does not expire under it.
 */
export type SettlementFence =
  | { kind: "none" }
  | { kind: "lease"; leaseId: string }
  | { kind: "waiting"; lastLeaseId: string | null };

export interface Settlement {
  editId: string;
  status: FinalStatus;
  error?: JobError;
  /** JSON of the stored output (see views/edit-view.ts StoredOutput), for succeeded edits. */
  outputJson?: string;
  /** Defaults to none. */
  fence?: SettlementFence;
  nowMs: number;
}

/**
 * Ends an edit and settles its hold in one transaction: captured when it succeeded, released otherwise. Only an
 * edit that is still queued or running changes, so a second settlement (a late runner, a cancel racing a
 * completion) is a no-op; the ledger's unique index on settlements backs this up. The same transaction records the
 * edit's webhook as owed (webhook_outbox) when it has a webhook_url. Returns whether it settled. What was held is
 * `price_micro * livemode`: the price for a live edit, 0 for a test one.
 */
export async function settleEdit(db: D1Database, settlement: Settlement): Promise<boolean> {
  const captured = settlement.status === "succeeded";
  const fence = settlement.fence ?? { kind: "none" };
  const fenceLeaseId = fence.kind === "lease" ? fence.leaseId : fence.kind === "waiting" ? fence.lastLeaseId : null;
  const [ended] = await db.batch([
    db
      .prepare(
        `UPDATE edits SET status = ?2, finished_at = ?3, error_json = ?4, output_json = ?5,
           charged_micro = CASE WHEN ?6 THEN price_micro * livemode ELSE 0 END,
           progress_step = CASE WHEN ?6 THEN progress_total ELSE progress_step END
         WHERE id = ?1 AND status IN ('queued', 'running')
           AND CASE ?7 WHEN 'lease' THEN status = 'running' AND lease_id = ?8
                       WHEN 'waiting' THEN lease_id IS ?8
                       ELSE 1 END`,
      )
      .bind(
        settlement.editId,
        settlement.status,
        settlement.nowMs,
        settlement.error ? JSON.stringify(settlement.error) : null,
        settlement.outputJson ?? null,
        captured ? 1 : 0,
        fence.kind,
        fenceLeaseId,
      ),
    db
      .prepare(
        `INSERT INTO ledger_entries (account_id, kind, amount_micro, held_change_micro, edit_id, note, created_at,
           livemode)
         SELECT account_id, ?2, CASE WHEN ?3 THEN 0 ELSE price_micro * livemode END, -price_micro * livemode, id, ?4,
           ?5, livemode
         FROM edits WHERE id = ?1 AND changes() = 1`,
      )
      .bind(settlement.editId, captured ? "capture" : "release", captured ? 1 : 0, settlement.status, settlement.nowMs),
    // The ledger row exists only if the edit was settled just now, so this moves the hold exactly once.
    db
      .prepare(
        `UPDATE accounts SET held_micro = held_micro - e.held_amount,
           balance_micro = balance_micro + CASE WHEN ?2 THEN 0 ELSE e.held_amount END
         FROM (SELECT account_id, price_micro * livemode AS held_amount FROM edits WHERE id = ?1) AS e
         WHERE accounts.id = e.account_id AND changes() = 1`,
      )
      .bind(settlement.editId, captured ? 1 : 0),
    // Its account was just changed, so this edit was settled just now: its webhook (if it has a URL) is owed from
    // this same transaction on, whatever happens to the worker before the message is queued.
    oweWebhookStatement(db, settlement.editId, settlement.nowMs),
  ]);
  return ended!.meta.changes === 1;
}
