/** @module api-keys: D1 queries for API keys (stored as SHA-256 only) and their stored scopes. */
import { Scope } from "@stochedit/shared";
import { z } from "zod";

/** Which data a key sees: live, or its account's test mode (auth/api-key-format.ts mints both). */
export type KeyMode = "live" | "test";

export interface ApiKeyRow {
  id: string;
  account_id: string;
  mode: KeyMode;
  key_sha256: string;
  scopes_json: string;
  name: string | null;
  rate_limit_per_minute: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const StoredScopes = z.array(Scope);

export function keyScopes(row: ApiKeyRow): Scope[] {
  return StoredScopes.parse(JSON.parse(row.scopes_json));
}

export interface NewApiKey {
  id: string;
  accountId: string;
  mode: KeyMode;
  keySha256: string;
  scopes: readonly Scope[];
  name: string | null;
  rateLimitPerMinute: number | null;
  nowMs: number;
}

export async function insertApiKey(db: D1Database, key: NewApiKey): Promise<void> {
  await db
    .prepare(
      `INSERT INTO api_keys (id, account_id, mode, key_sha256, scopes_json, name, rate_limit_per_minute, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      key.id,
      key.accountId,
      key.mode,
      key.keySha256,
      JSON.stringify(key.scopes),
      key.name,
      key.rateLimitPerMinute,
      key.nowMs,
    )
    .run();
}

const keyColumns =
  "id, account_id, mode, key_sha256, scopes_json, name, rate_limit_per_minute, created_at, last_used_at, revoked_at";

export async function readApiKey(db: D1Database, keyId: string): Promise<ApiKeyRow | null> {
  return db.prepare(`SELECT ${keyColumns} FROM api_keys WHERE id = ?`).bind(keyId).first<ApiKeyRow>();
}

export async function listApiKeys(db: D1Database, accountId: string): Promise<ApiKeyRow[]> {
  const { results } = await db
    .prepare(`SELECT ${keyColumns} FROM api_keys WHERE account_id = ? ORDER BY created_at, id`)
    .bind(accountId)
    .all<ApiKeyRow>();
  return results;
}

/** Revokes once: a second call keeps the first revocation time. Returns the key, or null if it is not the account's. */
export async function revokeApiKey(
  db: D1Database,
  accountId: string,
  keyId: string,
  nowMs: number,
): Promise<ApiKeyRow | null> {
  return db
    .prepare(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?)
       WHERE id = ? AND account_id = ? RETURNING ${keyColumns}`,
    )
    .bind(nowMs, keyId, accountId)
    .first<ApiKeyRow>();
}

/** At most one write per key per interval: last-used time is for humans, a write on every request is not needed. The
 * caller skips the write when the row it just read is recent enough; the WHERE keeps concurrent writers to one. */
export const lastUsedResolutionMs = 60_000;

export async function touchApiKey(db: D1Database, keyId: string, nowMs: number): Promise<void> {
  await db
    .prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)")
    .bind(nowMs, keyId, nowMs - lastUsedResolutionMs)
    .run();
}
