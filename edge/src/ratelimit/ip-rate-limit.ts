/**
 * @module ip-rate-limit: middleware that limits requests per client address before anything else looks at them, so
 * a flood of made-up API keys or operator tokens is refused without a lookup. The bucket lives in this isolate's
 * memory (local-buckets.ts): no round trip, and a flood is refused where it lands. The address is CF-Connecting-IP,
 * which Cloudflare (and Miniflare locally) sets on every request from outside; a request without it came from
 * another worker, not from a client, and is not limited here.
 */
import type { MiddlewareHandler } from "hono";
import { readConfig } from "../config.js";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { LocalBuckets } from "./local-buckets.js";

/** Addresses an isolate keeps buckets for; the least recently seen beyond this start afresh. */
const addressesPerIsolate = 50_000;
const addressBuckets = new LocalBuckets(addressesPerIsolate);

export function ipRateLimit(): MiddlewareHandler<AppEnv> {
  return async function ipRateLimitMiddleware(c, next) {
    const address = c.req.header("cf-connecting-ip");
    if (address !== undefined) {
      const limit = readConfig(c.env).ipRateLimitPerMinute;
      const decision = addressBuckets.take(address, limit, Date.now());
      if (!decision.allowed) {
        throw new ApiError(
          "rate_limited",
          `requests from ${address} are limited to ${limit} per minute; retry in ${decision.retryAfterSeconds} s`,
          { headers: { "Retry-After": String(decision.retryAfterSeconds) } },
        );
      }
    }
    await next();
  };
}
