import { describe, expect, it } from "vitest";
import { combineGuidance, rampedGuidance } from "./guidance.js";

describe("combineGuidance", () => {
  it("is e_u + g (e_c - e_u)", () => {
    const out = new Float32Array(2);
    combineGuidance(out, Float32Array.of(1, -2, 3, 0), 0, 2, 7.5);
    expect(Array.from(out)).toEqual([1 + 7.5 * 2, -2 + 7.5 * 2]);
    // The two halves at any offsets of the array: here cond first, then uncond.
    combineGuidance(out, Float32Array.of(9, 3, 0, 1, -2), 3, 1, 7.5);
    expect(Array.from(out)).toEqual([1 + 7.5 * 2, -2 + 7.5 * 2]);
  });

  it("gives e_c at g = 1 and e_u at g = 0", () => {
    const eps = Float32Array.of(0.25, -0.5, 0.75, 1.5);
    const out = new Float32Array(2);
    combineGuidance(out, eps, 0, 2, 1);
    expect(out).toEqual(eps.subarray(2));
    combineGuidance(out, eps, 0, 2, 0);
    expect(out).toEqual(eps.subarray(0, 2));
  });
});

describe("rampedGuidance", () => {
  it("runs linearly from the full guidance at t0 (k = 0) to 1 at the lowest level (k = n - 1)", () => {
    expect(rampedGuidance(3, 0, 120)).toBe(3);
    expect(rampedGuidance(3, 119, 120)).toBe(1);
    expect(rampedGuidance(3, 1, 3)).toBe(2);
    const values = Array.from({ length: 120 }, (_, k) => rampedGuidance(3, k, 120));
    for (let k = 1; k < 119; k++) expect(values[k - 1]! - values[k]!).toBeCloseTo(values[k]! - values[k + 1]!, 12);
  });

  it("gives a single step the full guidance", () => {
    expect(rampedGuidance(5, 0, 1)).toBe(5);
  });
});
