import { abarAt, stepGrid } from "@stochedit/gpu-runner/sampling";
import { describe, expect, it } from "vitest";
import { chainVarianceRatio, klGaussian } from "./gaussian-closed-form.js";

const data = { mean: 0.4, std: 0.3 };

describe("chainVarianceRatio", () => {
  it("is s² ᾱ/v for one step into the clean level, which returns the posterior mean E[x_0 | x_t]", () => {
    // Var E[x_0 | x_t] = s² - s² (1 - ᾱ)/v = s⁴ ᾱ / v, for either sampler (σ = 0 on the last step).
    const abar = abarAt(99);
    const v = abar * data.std ** 2 + 1 - abar;
    for (const eta of [0, 1])
      expect(chainVarianceRatio([99, -1], eta, data)).toBeCloseTo((data.std ** 2 * abar) / v, 12);
  });

  it("tends to 1 as the grid gets finer, faster for the ODE than for the SDE", () => {
    const ratios = [10, 50, 200, 1000].map((steps) => {
      const { levels } = stepGrid(steps, 0.6);
      return { ode: chainVarianceRatio(levels, 0, data), sde: chainVarianceRatio(levels, 1, data) };
    });
    for (let i = 1; i < ratios.length; i++) {
      expect(1 - ratios[i]!.ode).toBeLessThan(1 - ratios[i - 1]!.ode);
      expect(1 - ratios[i]!.sde).toBeLessThan(1 - ratios[i - 1]!.sde);
    }
    for (const { ode, sde } of ratios) expect(sde).toBeLessThan(ode);
    expect(ratios.at(-1)!.ode).toBeGreaterThan(0.97);
  });
});

describe("klGaussian", () => {
  it("is 0 for equal laws and ½(ratio - 1 - ln ratio) + Δ²/2V for others", () => {
    expect(klGaussian({ mean: 1, variance: 2 }, { mean: 1, variance: 2 })).toBe(0);
    expect(klGaussian({ mean: 1, variance: 2 }, { mean: 0, variance: 1 })).toBeCloseTo(
      0.5 * (2 - 1 - Math.log(2)) + 0.5,
      12,
    );
  });
});
