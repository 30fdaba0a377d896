/** @module accounts: D1 queries for accounts and their ledger entries. */
import type { AccountView, LedgerEntry, LedgerKind } from "@stochedit/shared";
import { type DataScope, livemodeColumn } from "./data-scope.js";

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
  livemode: 0 | 1;
}

export async function insertAccount(db: D1Database, account: { id: string; name: string; nowMs: number }) {
  await db
    .prepare("INSERT INTO accounts (id, name, balance_micro, held_micro, created_at) VALUES (?, ?, 0, 0, ?)")
    .bind(account.id, account.name, account.nowMs)
    .run();
}

const accountStatement = (db: D1Database, accountId: string) =>
  db.prepare("SELECT id, name, balance_micro, held_micro, created_at FROM accounts WHERE id = ?").bind(accountId);

export async function readAccount(db: D1Database, accountId: string): Promise<AccountRow | null> {
  return accountStatement(db, accountId).first<AccountRow>();
}

interface LedgerPageQuery {
  limit: number;
  beforeId: number | undefined;
}

/** Whose ledger: a key sees its mode's rows (`livemode`); the operator (`livemode` undefined) every row. */
export interface LedgerScope {
  accountId: string;
  livemode?: boolean | undefined;
}

/** One row more than asked tells whether another page follows. */
const ledgerPageStatement = (db: D1Database, scope: LedgerScope, page: LedgerPageQuery) =>
  db
    .prepare(
      `SELECT id, kind, amount_micro, held_change_micro, edit_id, note, created_at, livemode
       FROM ledger_entries WHERE account_id = ?1 AND (?2 IS NULL OR livemode = ?2) AND (?3 IS NULL OR id < ?3)
       ORDER BY id DESC LIMIT ?4`,
    )
    .bind(
      scope.accountId,
      scope.livemode === undefined ? null : livemodeColumn({ livemode: scope.livemode }),
      page.beforeId ?? null,
      page.limit + 1,
    );

function ledgerPage(rows: LedgerRow[], limit: number): { entries: LedgerEntry[]; hasMore: boolean } {
  const entries = rows.slice(0, limit).map((row) => ({
    id: row.id,
    kind: row.kind,
    amount: row.amount_micro,
    held_change: row.held_change_micro,
    edit_id: row.edit_id,
    note: row.note,
    livemode: row.livemode === 1,
    created_at: new Date(row.created_at).toISOString(),
  }));
  return { entries, hasMore: rows.length > limit };
}

/**
 * Newest first, from the entry just older than `beforeId` (the last one of the previous page) when given. Ids only
 * grow, so entries written while a client pages land before its first page, never between pages.
 */
export async function listLedger(
  db: D1Database,
  scope: LedgerScope,
  page: LedgerPageQuery,
): Promise<{ entries: LedgerEntry[]; hasMore: boolean }> {
  const { results } = await ledgerPageStatement(db, scope, page).all<LedgerRow>();
  return ledgerPage(results, page.limit);
}

export const recentLedgerLength = 20;
const recentLedger: LedgerPageQuery = { limit: recentLedgerLength, beforeId: undefined };

/** Balance and held are the account's own: test-mode edits never change them. */
const toAccountView = (account: AccountRow, recent: LedgerEntry[], livemode?: boolean): AccountView => ({
  id: account.id,
  name: account.name,
  balance: account.balance_micro,
  held: account.held_micro,
  ...(livemode !== undefined && { livemode }),
  recent_ledger: recent,
});

/** The operator's view: every ledger row, of both modes. */
export async function accountView(db: D1Database, account: AccountRow): Promise<AccountView> {
  return toAccountView(account, (await listLedger(db, { accountId: account.id }, recentLedger)).entries);
}

/**
 * A key's view, in one round trip (a D1 batch): the account and its newest ledger entries of the key's mode, and
 * the mode; null when there is no such account.
 */
export async function readAccountView(db: D1Database, scope: DataScope): Promise<AccountView | null> {
  const [account, ledger] = await db.batch<AccountRow | LedgerRow>([
    accountStatement(db, scope.accountId),
    ledgerPageStatement(db, scope, recentLedger),
  ]);
  const row = account!.results[0] as AccountRow | undefined;
  const recent = ledgerPage(ledger!.results as LedgerRow[], recentLedgerLength).entries;
  return row ? toAccountView(row, recent, scope.livemode) : null;
}
