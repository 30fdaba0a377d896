import { describe, expect, it } from "vitest";
import { type Bucket, spendTokens, takeToken } from "./token-bucket.js";

function drain(limit: number, count: number, nowMs: number, start?: Bucket) {
  let bucket = start;
  const decisions = [];
  for (let i = 0; i < count; i++) {
    const step = takeToken(bucket, limit, nowMs);
    bucket = step.bucket;
    decisions.push(step.decision);
  }
  return { bucket: bucket!, decisions };
}

describe("takeToken", () => {
  it("starts full and allows `limit` requests at once, then refuses", () => {
    const { decisions } = drain(3, 4, 1_000);
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
  });

  it("says how long until one request and until a full bucket", () => {
    const { decisions } = drain(3, 4, 1_000);
    // 3 per minute: one token every 20 s.
    expect(decisions[3]).toMatchObject({ retryAfterSeconds: 20, resetSeconds: 60 });
    expect(decisions[0]).toMatchObject({ retryAfterSeconds: 0, resetSeconds: 20 });
  });

  it("refills continuously with time", () => {
    const { bucket } = drain(3, 3, 0);
    expect(takeToken(bucket, 3, 19_999).decision.allowed).toBe(false);
    const later = takeToken(bucket, 3, 20_000).decision;
    expect(later).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeToken(bucket, 3, 600_000).decision).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("ignores a clock that goes backwards", () => {
    const { bucket } = drain(3, 3, 50_000);
    expect(takeToken(bucket, 3, 10_000).decision.allowed).toBe(false);
  });
});

describe("spendTokens", () => {
  it("takes requests let through elsewhere, below zero too, and says when the next one may go", () => {
    // 60 per minute: one token a second. 58 spent of a full bucket leaves 2.
    const some = spendTokens(undefined, 60, 0, 58);
    expect(some.decision).toMatchObject({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
    // 5 more: 3 over, so the next request waits until the bucket is back at 1.
    const over = spendTokens(some.bucket, 60, 0, 5);
    expect(over.decision).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 4 });
    expect(spendTokens(over.bucket, 60, 4_000, 0).decision.allowed).toBe(true);
  });

  it("keeps at most one window of debt", () => {
    const { bucket } = spendTokens(undefined, 60, 0, 1_000);
    expect(bucket.tokens).toBe(-60);
    expect(spendTokens(bucket, 60, 0, 0).decision.retryAfterSeconds).toBe(61);
  });
});
