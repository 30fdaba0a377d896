import { GaussianRng } from "@stochedit/gpu-runner/sampling";
import { describe, expect, it } from "vitest";
import { binnedKl } from "./binned-kl.js";

const n = 2 ** 16;
const bins = 50;

function normalSample(seed: number, mean: number, std: number): Float32Array {
  return Float32Array.from(new GaussianRng(seed).fill(new Float32Array(n)), (z) => mean + std * z);
}

describe("binnedKl", () => {
  it("is near the closed-form KL of two Gaussians, from below up to sampling noise", () => {
    // KL(N(0.5, 1.2²) || N(0, 1)) = ½ (1.44 + 0.25 - 1 - ln 1.44) = 0.16268.
    const exact = 0.5 * (1.44 + 0.25 - 1 - Math.log(1.44));
    const estimate = binnedKl(normalSample(1, 0.5, 1.2), normalSample(2, 0, 1), bins);
    // 50 equal-mass bins keep all but a few percent of this KL; the plug-in bias is about (B-1)/n.
    expect(estimate).toBeGreaterThan(0.9 * exact);
    expect(estimate).toBeLessThan(exact + (4 * (bins - 1)) / n);
  });

  it("is of the order of its bias (B-1)/n for two samples of one law", () => {
    const estimate = binnedKl(normalSample(3, 0, 1), normalSample(4, 0, 1), bins);
    expect(estimate).toBeLessThan((3 * (bins - 1)) / n);
  });

  it("is infinite when the sample puts mass where the reference has none", () => {
    const reference = Float32Array.of(1, 1, 1, 1);
    expect(binnedKl(Float32Array.of(0, 1), reference, 2)).toBe(Number.POSITIVE_INFINITY);
  });
});
