/**
 * @module key-cache: each isolate keeps the API-key rows it read for a second, so a busy key costs one D1 read a second
 * per isolate instead of one per request. A revocation is seen at once by the isolate that made it (it forgets the
 * key) and within `keyCacheMs` by every other; a key that does not exist is never kept, so guessing ids reads D1 each
 * time (the per-address limit runs before).
 */
import { type ApiKeyRow, readApiKey } from "../db/api-keys.js";
import { BoundedMap } from "../ratelimit/bounded-map.js";

/** How long a row read from D1 answers for its key in this isolate. */
export const keyCacheMs = 1_000;
/** Keys an isolate keeps rows for; the least recently used beyond this are read again. */
const keysPerIsolate = 10_000;

const rows = new BoundedMap<{ row: ApiKeyRow; readAtMs: number }>(keysPerIsolate);

/** The key's row: this isolate's copy while under `keyCacheMs` old, else read from D1 (and kept if it exists). */
export async function cachedApiKey(db: D1Database, keyId: string, nowMs: number): Promise<ApiKeyRow | null> {
  const kept = rows.get(keyId);
  if (kept && nowMs - kept.readAtMs < keyCacheMs) return kept.row;
  const row = await readApiKey(db, keyId);
  if (row) rows.set(keyId, { row, readAtMs: nowMs });
  else rows.delete(keyId);
  return row;
}

/** After this isolate wrote the key's last-used time: its copy says so, and the next requests do not write it again. */
export function keyTouched(keyId: string, nowMs: number): void {
  const kept = rows.get(keyId);
  if (kept) kept.row = { ...kept.row, last_used_at: nowMs };
}

/** After this isolate changed the key (revoked it): the next request reads it again. */
export function forgetApiKey(keyId: string): void {
  rows.delete(keyId);
}
