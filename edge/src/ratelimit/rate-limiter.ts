/**
 * @module rate-limiter: the RateLimiter Durable Object, one per API key, holding that key's token bucket for all
 * isolates together. Isolates let requests through on their own buckets (local-buckets.ts) and report them here in
 * the background; this object's answer tells them when the key as a whole has run out. A Durable Object rather than
 * the Workers rate-limit binding: one object sees every request of its key worldwide (the binding counts per
 * location), and limits differ per key. The bucket is kept in storage so an evicted object does not hand out a
 * fresh one.
 */
import { DurableObject } from "cloudflare:workers";
import { type Bucket, type RateDecision, spendTokens } from "./token-bucket.js";

const bucketKey = "bucket";

export class RateLimiter extends DurableObject<Env> {
  /** Takes `count` requests already let through; calls to one object run one at a time, so none is lost. */
  spend(limitPerMinute: number, count: number): RateDecision {
    const { bucket, decision } = spendTokens(
      this.ctx.storage.kv.get<Bucket>(bucketKey),
      limitPerMinute,
      Date.now(),
      count,
    );
    this.ctx.storage.kv.put(bucketKey, bucket);
    return decision;
  }
}

export function rateLimiterFor(env: Env, keyId: string): DurableObjectStub<RateLimiter> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId));
}
