import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "./backoff.js";

const range = { minMs: 100, maxMs: 1_000 };

describe("backoffDelayMs", () => {
  it("waits the minimum after the first miss whatever the draw", () => {
    expect(backoffDelayMs(0, range, () => 0)).toBe(100);
    expect(backoffDelayMs(0, range, () => 0.999)).toBe(100);
  });

  it("doubles the cap per miss until the maximum", () => {
    const caps = [0, 1, 2, 3, 4, 5, 40].map((misses) => backoffDelayMs(misses, range, () => 1));
    expect(caps).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it("spreads the wait between the minimum and the cap", () => {
    expect(backoffDelayMs(3, range, () => 0)).toBe(100);
    expect(backoffDelayMs(3, range, () => 0.5)).toBe(450);
  });

  it("stays within the range for any draw", () => {
    let state = 7;
    const lcg = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let misses = 0; misses < 50; misses++) {
      const delay = backoffDelayMs(misses, range, lcg);
      expect(delay).toBeGreaterThanOrEqual(range.minMs);
      expect(delay).toBeLessThanOrEqual(range.maxMs);
    }
  });
});
