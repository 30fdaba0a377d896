import { describe, expect, it } from "vitest";
import reference from "../../../reference/sde-ode-vectors.json" with { type: "json" };
import { etaStep, sigmaEta, stepCoefficients } from "./eta-step.js";
import { abarAt } from "./schedule.js";

describe("step coefficients against the reference vectors", () => {
  for (const step of reference.steps) {
    it(`t=${step.t} -> s=${step.s}, eta=${step.eta}: σ = ${step.sigma}, √(1-ᾱ_s-σ²) = ${step.dir_coeff}`, () => {
      expect(abarAt(step.t)).toBeCloseTo(step.alpha_bar_t, 14);
      expect(abarAt(step.s)).toBeCloseTo(step.alpha_bar_s, 14);
      const c = stepCoefficients(step.t, step.s, step.eta);
      expect(c.sigma).toBeCloseTo(step.sigma, 12);
      expect(c.dirCoeff).toBeCloseTo(step.dir_coeff, 12);
    });
  }
});

describe("sigmaEta", () => {
  it("is 0 at eta 0 and scales linearly with eta", () => {
    expect(sigmaEta(0.2, 0.3, 0)).toBe(0);
    expect(sigmaEta(0.2, 0.3, 0.5)).toBeCloseTo(sigmaEta(0.2, 0.3, 1) / 2, 15);
  });

  it("is DDPM's posterior standard deviation at eta 1: σ² = (1-ᾱ_s)/(1-ᾱ_t) (1 - ᾱ_t/ᾱ_s)", () => {
    const [abarT, abarS] = [0.2, 0.3];
    expect(sigmaEta(abarT, abarS, 1) ** 2).toBeCloseTo(((1 - abarS) / (1 - abarT)) * (1 - abarT / abarS), 15);
  });
});

// One suite for both solvers, like diffusers' SchedulerCommonTest.
describe.each([
  { sampler: "ode", eta: 0 },
  { sampler: "sde", eta: 1 },
])("etaStep ($sampler, eta = $eta)", ({ eta }) => {
  const x0 = Float32Array.from([0.5, -1.25, 2, 0]);
  const e = Float32Array.from([0.3, -0.7, 1.1, -2]);
  const w = Float32Array.from([1, -0.5, 0.25, 2]);
  const noised = (t: number) => {
    const [a, c] = [Math.sqrt(abarAt(t)), Math.sqrt(1 - abarAt(t))];
    return Float32Array.from(x0, (v, i) => a * v + c * e[i]!);
  };

  it("writes x_s = a_s x̂0 + √(1-ᾱ_s-σ²) e + σ w, with x̂0 recovered exactly from x_t = a_t x0 + c_t e", () => {
    const c = stepCoefficients(604, 599, eta);
    const out = new Float32Array(4);
    etaStep(out, noised(604), e, c, w);
    for (let i = 0; i < 4; i++) {
      expect(out[i]).toBeCloseTo(c.aS * x0[i]! + c.dirCoeff * e[i]! + c.sigma * w[i]!, 5);
    }
  });

  it("steps in place (out = x) exactly as into a separate buffer", () => {
    const c = stepCoefficients(999, 994, eta);
    const separate = new Float32Array(4);
    const x = noised(999);
    etaStep(separate, x, e, c, w);
    etaStep(x, x, e, c, w);
    expect(x).toEqual(separate);
  });

  it("lands on x̂0 at the clean level, whatever w is", () => {
    const c = stepCoefficients(5, -1, eta);
    expect(c.sigma).toBe(0);
    expect(c.dirCoeff).toBe(0);
    const out = new Float32Array(4);
    etaStep(out, noised(5), e, c, w);
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(x0[i]!, 5);
  });
});

describe("etaStep at eta 0", () => {
  it("ignores w: the ODE is deterministic", () => {
    const c = stepCoefficients(10, 5, 0);
    const x = Float32Array.from([0.1, 0.2]);
    const e = Float32Array.from([0.3, -0.4]);
    const withW = new Float32Array(2);
    const withoutW = new Float32Array(2);
    etaStep(withW, x, e, c, Float32Array.from([5, 5]));
    etaStep(withoutW, x, e, c);
    expect(withW).toEqual(withoutW);
  });
});
