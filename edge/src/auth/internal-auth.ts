/**
 * @module internal-auth: middleware for the runner routes (/internal/claim, /internal/jobs/*): an HMAC-SHA256 of
 * timestamp, nonce, method, path and body with RUNNER_HMAC_SECRET (shared/src/internal-auth.ts), within a 60 s
 * window, and each nonce accepted once (ReplayGuard), so a replayed request has no effect.
 */
import { internalAuthHeaders, verifyInternalRequest } from "@stochedit/shared";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { replayGuardFor } from "./replay-guard.js";

/** Shorter secrets are refused as configuration: the secret lets its holder take and settle any job. */
export const minRunnerSecretLength = 32;

export function internalAuth(): MiddlewareHandler<AppEnv> {
  return async function internalAuthMiddleware(c, next) {
    const secret = c.env.RUNNER_HMAC_SECRET;
    if (!secret || secret.length < minRunnerSecretLength) {
      console.error(JSON.stringify({ level: "error", message: "RUNNER_HMAC_SECRET is unset or too short" }));
      throw new ApiError("unavailable", "runner routes are disabled: the runner secret is not configured");
    }
    const url = new URL(c.req.url);
    // The body is read as text once here; Hono caches it for the handler.
    const verdict = await verifyInternalRequest(secret, {
      method: c.req.method,
      path: url.pathname + url.search,
      body: await c.req.text(),
      timestamp: c.req.header(internalAuthHeaders.timestamp) ?? null,
      nonce: c.req.header(internalAuthHeaders.nonce) ?? null,
      signature: c.req.header(internalAuthHeaders.signature) ?? null,
    });
    if (!verdict.ok) {
      const { timestamp, nonce, signature } = internalAuthHeaders;
      throw new ApiError(
        "unauthorized",
        `runner routes need ${timestamp}, ${nonce} and ${signature} (v2=<hex HMAC-SHA256>): ${verdict.reason}`,
        { retryable: false },
      );
    }
    // Checked after the signature, so only the secret's holders can store nonces.
    const first = await replayGuardFor(c.env, verdict.nonce).firstUse(verdict.nonce, verdict.staleAtMs);
    if (!first) {
      throw new ApiError(
        "unauthorized",
        `this signed request was already received (nonce ${verdict.nonce}); every request needs a new nonce`,
        { retryable: false },
      );
    }
    await next();
  };
}
