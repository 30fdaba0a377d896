/** @module token-bucket: a token bucket that refills continuously, `limit` tokens per window; pure, clock passed in. */

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Whole requests left right now. */
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetSeconds: number;
  /** Seconds until one request is allowed (Retry-After); 0 when allowed. */
  retryAfterSeconds: number;
}

export const windowMs = 60_000;

/** Refills for the time passed, then takes one token if there is one. */
export function takeToken(
  bucket: Bucket | undefined,
  limit: number,
  nowMs: number,
): { bucket: Bucket; decision: RateDecision } {
  const refillPerMs = limit / windowMs;
  const elapsedMs = bucket ? Math.max(0, nowMs - bucket.updatedAtMs) : 0;
  const available = bucket ? Math.min(limit, bucket.tokens + elapsedMs * refillPerMs) : limit;
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  const decision: RateDecision = {
    allowed,
    limit,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((limit - tokens) / refillPerMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)),
  };
  return { bucket: { tokens, updatedAtMs: nowMs }, decision };
}
