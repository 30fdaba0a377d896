import { describe, expect, it } from "vitest";
import { forwardNoise } from "./forward-noise.js";
import { abarAt } from "./schedule.js";

/** The two coefficients of x_t = k x_s + n z, read off by feeding unit inputs. */
function coefficients(s: number, t: number): { keep: number; add: number } {
  const out = new Float32Array(1);
  forwardNoise(out, Float32Array.of(1), s, t, Float32Array.of(0));
  const keep = out[0]!;
  forwardNoise(out, Float32Array.of(0), s, t, Float32Array.of(1));
  return { keep, add: out[0]! };
}

describe("forwardNoise", () => {
  it("from the clean level is x_t = a_t x0 + c_t z", () => {
    const out = new Float32Array(2);
    forwardNoise(out, Float32Array.of(0.5, -2), -1, 600, Float32Array.of(1.5, 0.25));
    const [a, c] = [Math.sqrt(abarAt(600)), Math.sqrt(1 - abarAt(600))];
    expect(out[0]).toBeCloseTo(a * 0.5 + c * 1.5, 6);
    expect(out[1]).toBeCloseTo(a * -2 + c * 0.25, 6);
  });

  it("from s to t composes with the step from the clean level to s into the marginal of t", () => {
    const [s, t] = [250, 600];
    const toS = coefficients(-1, s);
    const sToT = coefficients(s, t);
    // x_t = k (a_s x0 + c_s z1) + n z2: mean coefficient a_t, noise variance k² c_s² + n² = 1 - ᾱ_t.
    expect(sToT.keep * toS.keep).toBeCloseTo(Math.sqrt(abarAt(t)), 6);
    expect(sToT.keep ** 2 * toS.add ** 2 + sToT.add ** 2).toBeCloseTo(1 - abarAt(t), 6);
  });

  it("leaves a latent unchanged from a level to itself", () => {
    const out = new Float32Array(1);
    forwardNoise(out, Float32Array.of(0.3), -1, -1, Float32Array.of(9));
    expect(out[0]).toBe(Math.fround(0.3));
  });
});
