import { describe, expect, it } from "vitest";
import { GaussianRng } from "./gaussian-rng.js";
import { NoiseAhead } from "./noise-ahead.js";

describe("NoiseAhead", () => {
  it("draws what recordCycleForward would, lowest level first, however the draws are spread, pass after pass", () => {
    // recordCycleForward's order: z for level 3, 2, 1, 0, then the next pass's.
    const rng = new GaussianRng(5);
    const direct = [0, 1].map(() => {
      const z = [0, 1, 2, 3].map(() => new Float32Array(7));
      for (let k = 3; k >= 0; k--) rng.fill(z[k]!);
      return z.map((level) => Array.from(level));
    });

    const ahead = new NoiseAhead(new GaussianRng(5), 4, 7);
    ahead.drawNext();
    ahead.drawNext();
    const first = ahead.take().map((level) => Array.from(level));
    for (let i = 0; i < 6; i++) ahead.drawNext();
    const second = ahead.take().map((level) => Array.from(level));
    expect([first, second]).toEqual(direct);
  });
});
