/** @module api-key-view: an api_keys row as the API shows it: its public prefix, never the key or its hash. */
import type { ApiKeyView } from "@stochedit/shared";
import { type ApiKeyRow, keyScopes } from "../db/api-keys.js";
import { keyPrefix } from "./api-key-format.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function apiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    prefix: keyPrefix(row.mode, row.id),
    scopes: keyScopes(row),
    name: row.name,
    rate_limit_per_minute: row.rate_limit_per_minute,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
  };
}
