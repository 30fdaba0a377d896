/** @module issue-api-key: mints a key for an account, stores its hash, and returns the key once. */
import type { CreatedKey, CreateKeyRequest } from "@stochedit/shared";
import { insertApiKey, readApiKey } from "../db/api-keys.js";
import { mintApiKey } from "./api-key-format.js";
import { apiKeyView } from "./api-key-view.js";

export async function issueApiKey(
  db: D1Database,
  accountId: string,
  request: CreateKeyRequest,
  nowMs: number,
): Promise<CreatedKey> {
  const minted = await mintApiKey(request.mode);
  await insertApiKey(db, {
    id: minted.id,
    accountId,
    mode: request.mode,
    keySha256: minted.keySha256,
    scopes: [...new Set(request.scopes)],
    name: request.name ?? null,
    rateLimitPerMinute: request.rate_limit_per_minute ?? null,
    nowMs,
  });
  const row = await readApiKey(db, minted.id);
  if (!row) throw new Error(`api key ${minted.id} vanished right after its insert`);
  return { ...apiKeyView(row), key: minted.key };
}
