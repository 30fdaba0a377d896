import { describe, expect, it } from "vitest";
import { combineGuidance, rampedGuidance } from "./guidance.js";

describe("combineGuidance", () => {
  it("is e_u + g (e_c - e_u)", () => {
    const out = new Float32Array(2);
    combineGuidance(out, Float32Array.of(1, -2), Float32Array.of(3, 0), 7.5);
    expect(Array.from(out)).toEqual([1 + 7.5 * 2, -2 + 7.5 * 2]);
  });

  it("gives e_c at g = 1 and e_u at g = 0", () => {
    const [u, c] = [Float32Array.of(0.25, -0.5), Float32Array.of(0.75, 1.5)];
    const out = new Float32Array(2);
    combineGuidance(out, u, c, 1);
    expect(out).toEqual(c);
    combineGuidance(out, u, c, 0);
    expect(out).toEqual(u);
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
