/**
 * @module internal-auth: middleware for the runner routes (/internal/claim, /internal/jobs/*): an HMAC-SHA256 of
 * timestamp, method, path and body with RUNNER_HMAC_SECRET (shared/src/internal-auth.ts), within a 60 s window.
 */
import { internalAuthHeaders, verifyInternalRequest } from "@stochedit/shared";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.js";
import { ApiError } from "../http/api-error.js";

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
      signature: c.req.header(internalAuthHeaders.signature) ?? null,
    });
    if (!verdict.ok) {
      throw new ApiError(
        "unauthorized",
        `runner routes need ${internalAuthHeaders.timestamp} and ${internalAuthHeaders.signature} (v1=<hex HMAC-SHA256>): ${verdict.reason}`,
        { retryable: false },
      );
    }
    await next();
  };
}
