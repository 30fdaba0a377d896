/** @module accounts: D1 queries for accounts and their ledger entries. */
import type { AccountView, LedgerEntry, LedgerKind } from "@stochedit/shared";

export interface AccountRow {
  id: string;
  name: string;
  balance_micro: number;
  held_micro: number;
  created_at: number;
}

interface LedgerRow {
  id: number;
  kind: LedgerKind;
  amount_micro: number;
  held_change_micro: number;
  edit_id: string | null;
  note: string | null;
  created_at: number;
}

export async function insertAccount(db: D1Database, account: { id: string; name: string; nowMs: number }) {
  await db
    .prepare("INSERT INTO accounts (id, name, balance_micro, held_micro, created_at) VALUES (?, ?, 0, 0, ?)")
    .bind(account.id, account.name, account.nowMs)
    .run();
}

export async function readAccount(db: D1Database, accountId: string): Promise<AccountRow | null> {
  return db
    .prepare("SELECT id, name, balance_micro, held_micro, created_at FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<AccountRow>();
}

/**
 * Newest first, from the entry just older than `beforeId` (the last one of the previous page) when given. Ids only
 * grow, so entries written while a client pages land before its first page, never between pages. One row more than
 * asked tells whether another page follows.
 */
export async function listLedger(
  db: D1Database,
  accountId: string,
  page: { limit: number; beforeId: number | undefined },
): Promise<{ entries: LedgerEntry[]; hasMore: boolean }> {
  const { results } = await db
    .prepare(
      `SELECT id, kind, amount_micro, held_change_micro, edit_id, note, created_at
       FROM ledger_entries WHERE account_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3`,
    )
    .bind(accountId, page.beforeId ?? null, page.limit + 1)
    .all<LedgerRow>();
  const entries = results.slice(0, page.limit).map((row) => ({
    id: row.id,
    kind: row.kind,
    amount: row.amount_micro,
    held_change: row.held_change_micro,
    edit_id: row.edit_id,
    note: row.note,
    created_at: new Date(row.created_at).toISOString(),
  }));
  return { entries, hasMore: results.length > page.limit };
}

export const recentLedgerLength = 20;

export async function accountView(db: D1Database, account: AccountRow): Promise<AccountView> {
  return {
    id: account.id,
    name: account.name,
    balance: account.balance_micro,
    held: account.held_micro,
    recent_ledger: (await listLedger(db, account.id, { limit: recentLedgerLength, beforeId: undefined })).entries,
  };
}
