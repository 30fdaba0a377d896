import { describe, expect, it } from "vitest";
import { type Bucket, takeToken } from "./token-bucket.js";

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
