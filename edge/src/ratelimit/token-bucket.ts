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

/** The tokens in `bucket` at `nowMs`: refilled continuously at `limit` per window, never above `limit`. */
function refilled(bucket: Bucket | undefined, limit: number, nowMs: number): number {
  if (!bucket) return limit;
  const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
  return Math.min(limit, bucket.tokens + (elapsedMs * limit) / windowMs);
}

/** What `tokens` (after this request) mean for the caller; `allowed` says whether this request went through. */
function decision(tokens: number, limit: number, allowed: boolean): RateDecision {
  const refillPerMs = limit / windowMs;
  return {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.ceil((limit - tokens) / refillPerMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)),
  };
}

/** Refills for the time passed, then takes one token if there is one. */
export function takeToken(
  bucket: Bucket | undefined,
  limit: number,
  nowMs: number,
): { bucket: Bucket; decision: RateDecision } {
  const available = refilled(bucket, limit, nowMs);
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  return { bucket: { tokens, updatedAtMs: nowMs }, decision: decision(tokens, limit, allowed) };
}

/**
 * Takes `count` requests that were already let through elsewhere (isolates decide alone, then report here). They
 * come off even below zero, down to one window's worth of debt, so requests let through over the limit are paid for
 * by the next ones. `allowed` says whether the next request may go through.
 */
export function spendTokens(
  bucket: Bucket | undefined,
  limit: number,
  nowMs: number,
  count: number,
): { bucket: Bucket; decision: RateDecision } {
  const tokens = Math.max(-limit, refilled(bucket, limit, nowMs) - count);
  return { bucket: { tokens, updatedAtMs: nowMs }, decision: decision(tokens, limit, tokens >= 1) };
}
