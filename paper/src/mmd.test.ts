import { GaussianRng } from "@stochedit/gpu-runner/sampling";
import { describe, expect, it } from "vitest";
import { medianDistance, mmdSquared } from "./mmd.js";

function points(seed: number, count: number, mean: number, std: number): Float32Array[] {
  const rng = new GaussianRng(seed);
  return Array.from({ length: count }, () => Float32Array.of(mean + std * rng.normal()));
}

/**
 * E k(X, Y) for X ~ N(m1, s1²), Y ~ N(m2, s2²) and k = exp(-(x-y)²/(2ℓ²)): X - Y ~ N(m1 - m2, s1² + s2²), so the
 * Gaussian integral gives ℓ/√(ℓ² + s1² + s2²) exp(-(m1 - m2)²/(2(ℓ² + s1² + s2²))).
 */
function expectedKernel(m1: number, s1: number, m2: number, s2: number, l: number): number {
  const spread = l * l + s1 * s1 + s2 * s2;
  return (l / Math.sqrt(spread)) * Math.exp(-((m1 - m2) ** 2) / (2 * spread));
}

describe("mmdSquared", () => {
  it("matches the closed form for two 1-D Gaussians, with each of two bandwidths and their average", () => {
    const [n, l1, l2] = [1200, 0.7, 2];
    const xs = points(1, n, 0, 1);
    const ys = points(2, n, 0.6, 0.8);
    const exact = (l: number) =>
      expectedKernel(0, 1, 0, 1, l) + expectedKernel(0.6, 0.8, 0.6, 0.8, l) - 2 * expectedKernel(0, 1, 0.6, 0.8, l);
    for (const bandwidths of [[l1], [l2], [l1, l2]]) {
      const expected = bandwidths.reduce((sum, l) => sum + exact(l), 0) / bandwidths.length;
      // Over seeds the estimate's standard deviation at n = 1200 is about 0.008 here: 0.03 is about 4 of them.
      expect(Math.abs(mmdSquared(xs, ys, bandwidths) - expected)).toBeLessThan(0.03);
      expect(expected).toBeGreaterThan(0.05);
    }
  });

  it("is near 0 for two samples of one law", () => {
    expect(Math.abs(mmdSquared(points(3, 800, 0, 1), points(4, 800, 0, 1), [1]))).toBeLessThan(0.01);
  });
});

describe("medianDistance", () => {
  it("is the median of the pairwise distances", () => {
    const zs = [Float32Array.of(0, 0), Float32Array.of(3, 4), Float32Array.of(6, 8)];
    // Distances 5, 10, 5.
    expect(medianDistance(zs)).toBe(5);
    expect(medianDistance(zs.slice(0, 2))).toBe(5);
  });
});
