/**
 * @module rate-limiter: the RateLimiter Durable Object, one per API key, holding that key's token bucket.
 * A Durable Object rather than the Workers rate-limit binding: one object sees every request of its key worldwide
 * (the binding counts per location and only says yes or no), so it can answer exact RateLimit-Remaining and
 * Retry-After values. The bucket is kept in the object's storage so an evicted object does not hand out a fresh one.
 */
import { DurableObject } from "cloudflare:workers";
import { type Bucket, type RateDecision, takeToken } from "./token-bucket.js";

const bucketKey = "bucket";

export class RateLimiter extends DurableObject<Env> {
  /** Takes one request from the bucket; requests to one object run one at a time, so no two take the same token. */
  take(limitPerMinute: number): RateDecision {
    const { bucket, decision } = takeToken(this.ctx.storage.kv.get<Bucket>(bucketKey), limitPerMinute, Date.now());
    this.ctx.storage.kv.put(bucketKey, bucket);
    return decision;
  }
}

export function rateLimiterFor(env: Env, keyId: string): DurableObjectStub<RateLimiter> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId));
}
