import { describe, expect, it } from "vitest";
import { blendMask } from "./mask-blend.js";

describe("blendMask", () => {
  // [1, 2, 1, 3] latent (channel-major): the 3-cell mask applies to each channel.
  const kept = Float32Array.of(10, 20, 30, 40, 50, 60);
  const mask = Float32Array.of(0, 1, 0.25);

  it("keeps the reference bit for bit where the mask is 0 and x where it is 1, in every channel", () => {
    const x = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
    blendMask(x, kept, mask);
    expect(x[0]).toBe(10);
    expect(x[3]).toBe(40);
    expect(x[1]).toBe(Math.fround(0.2));
    expect(x[4]).toBe(Math.fround(0.5));
  });

  it("mixes soft mask values linearly", () => {
    const x = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
    blendMask(x, kept, mask);
    expect(x[2]).toBeCloseTo(0.25 * 0.3 + 0.75 * 30, 5);
    expect(x[5]).toBeCloseTo(0.25 * 0.6 + 0.75 * 60, 5);
  });
});
