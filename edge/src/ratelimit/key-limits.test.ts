import { describe, expect, it } from "vitest";
import { KeyLimits, reportEveryMs } from "./key-limits.js";
import type { RateDecision } from "./token-bucket.js";

const fine: RateDecision = { allowed: true, limit: 100, remaining: 50, resetSeconds: 30, retryAfterSeconds: 0 };

/** A RateLimiter stand-in that records each report and answers `answer`. */
function recorder(answer: () => Promise<RateDecision> = async () => fine) {
  const counts: number[] = [];
  return {
    counts,
    report: (count: number) => {
      counts.push(count);
      return answer();
    },
  };
}

describe("KeyLimits", () => {
  it("decides on the isolate's own bucket and reports at most once a second, in the background", async () => {
    const limits = new KeyLimits(10);
    const limiter = recorder();
    const at = (nowMs: number) => limits.take("key_a", 3, nowMs, limiter.report);

    const first = at(1_000);
    expect(first.decision).toMatchObject({ allowed: true, remaining: 2 });
    await first.reported;
    expect([at(1_100).reported, at(1_200).reported]).toEqual([undefined, undefined]);
    expect(at(1_300).decision).toMatchObject({ allowed: false, retryAfterSeconds: 20 });
    // The refused request is not reported; the two let through since the first report are.
    await at(1_000 + reportEveryMs).reported;
    expect(limiter.counts).toEqual([1, 2]);
  });

  it("refuses the key everywhere once its RateLimiter says it ran out, until its wait is over", async () => {
    const limits = new KeyLimits(10);
    const empty: RateDecision = { allowed: false, limit: 100, remaining: 0, resetSeconds: 60, retryAfterSeconds: 5 };
    const limiter = recorder(async () => empty);
    await limits.take("key_b", 100, 0, limiter.report).reported;
    // The isolate's own bucket has 99 left, but the key as a whole has none for 5 s.
    expect(limits.take("key_b", 100, 10, limiter.report).decision).toMatchObject({
      allowed: false,
      retryAfterSeconds: 5,
    });
    expect(limits.take("key_b", 100, 5_000, limiter.report).decision.allowed).toBe(true);
  });

  it("adds the requests of a failed report to the next one", async () => {
    const limits = new KeyLimits(10);
    let fail = true;
    const limiter = recorder(async () => {
      if (fail) throw new Error("Network connection lost.");
      return fine;
    });
    await limits.take("key_c", 100, 0, limiter.report).reported;
    fail = false;
    limits.take("key_c", 100, 500, limiter.report);
    await limits.take("key_c", 100, 1_000, limiter.report).reported;
    expect(limiter.counts).toEqual([1, 3]);
  });
});
