/**
 * @module rate-limit: middleware that charges each request to its API key's bucket and answers 429 when empty. The
 * bucket is this isolate's (key-limits.ts): no round trip on the request's path; the key's RateLimiter object hears
 * of the requests in the background and stops the key in every isolate once it runs out.
 */
import type { MiddlewareHandler } from "hono";
import { readConfig } from "../config.js";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { KeyLimits } from "./key-limits.js";
import { rateLimiterFor } from "./rate-limiter.js";
import { type RateDecision, windowMs } from "./token-bucket.js";

/** Keys an isolate keeps limits for; the least recently seen beyond this start afresh. */
const keysPerIsolate = 10_000;
const keyLimits = new KeyLimits(keysPerIsolate);

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), in their widely deployed form. */
function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.resetSeconds),
    "RateLimit-Policy": `${decision.limit};w=${windowMs / 1000}`,
  };
}

/** Runs after `apiKeyAuth`: limits are per key, and unauthenticated requests never reach a key's bucket. */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(c, next) {
    const caller = c.get("caller");
    const limit = caller.rateLimitPerMinute ?? readConfig(c.env).rateLimitPerMinute;
    const { decision, reported } = keyLimits.take(caller.keyId, limit, Date.now(), (count) =>
      rateLimiterFor(c.env, caller.keyId).spend(limit, count),
    );
    if (reported) c.executionCtx.waitUntil(reported);
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) {
      throw new ApiError(
        "rate_limited",
        `key ${caller.keyId} is limited to ${limit} requests per minute; retry in ${decision.retryAfterSeconds} s`,
        { headers: { ...headers, "Retry-After": String(decision.retryAfterSeconds) } },
      );
    }
    await next();
    // On the finished response in place: c.header() after the response is made copies it (a new Response and Headers
    // per call), garbage the runtime's collector must finalize on the request thread.
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
