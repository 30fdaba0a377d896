/** @module api-key: middleware that authenticates `Authorization: Bearer sk_<mode>_<id>_<secret>` against D1. */
import type { MiddlewareHandler } from "hono";
import { keyScopes, lastUsedResolutionMs, touchApiKey } from "../db/api-keys.js";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { parseApiKey } from "./api-key-format.js";
import { digestsEqual, sha256Hex } from "./digest.js";
import { cachedApiKey, keyTouched } from "./key-cache.js";

const challenge = { "WWW-Authenticate": 'Bearer realm="stochedit"' };
const unauthorized = (detail: string) => new ApiError("unauthorized", detail, { headers: challenge });

/** Compared against when the key id is unknown, so an unknown id costs the same as a wrong secret. */
const absentDigest = "0".repeat(64);

/**
 * Sets `caller`; every failure is a 401 that never says whether the key id exists. At most one D1 read per request, and
 * none while the isolate read the key less than a second ago (key-cache.ts); the key's last-used time is written at
 * most once a minute, after the response (waitUntil), never on the request's path.
 */
export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuthMiddleware(c, next) {
    const header = c.req.header("authorization");
    if (!header) throw unauthorized("missing Authorization header: send `Authorization: Bearer sk_live_...`");
    const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const parsed = presented ? parseApiKey(presented) : undefined;
    if (!presented || !parsed) {
      throw unauthorized("the Authorization header must be `Bearer sk_live_<id>_<secret>` (or sk_test_...)");
    }
    const nowMs = Date.now();
    const [row, presentedDigest] = await Promise.all([cachedApiKey(c.env.DB, parsed.id, nowMs), sha256Hex(presented)]);
    const matches = digestsEqual(presentedDigest, row?.key_sha256 ?? absentDigest);
    if (!row || !matches || row.mode !== parsed.mode) throw unauthorized("the API key is not valid");
    if (row.revoked_at !== null) throw unauthorized(`the API key sk_${row.mode}_${row.id} has been revoked`);

    c.set("caller", {
      accountId: row.account_id,
      livemode: row.mode === "live",
      keyId: row.id,
      scopes: keyScopes(row),
      rateLimitPerMinute: row.rate_limit_per_minute,
    });
    if (row.last_used_at === null || nowMs - row.last_used_at >= lastUsedResolutionMs) {
      keyTouched(row.id, nowMs);
      const touched = touchApiKey(c.env.DB, row.id, nowMs).catch((error: unknown) => {
        console.error(JSON.stringify({ level: "error", message: "last-used not written", error: String(error) }));
      });
      c.executionCtx.waitUntil(touched);
    }
    await next();
  };
}
