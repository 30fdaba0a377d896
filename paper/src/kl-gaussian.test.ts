import { abarAt } from "@stochedit/gpu-runner/sampling";
import { describe, expect, it } from "vitest";
import reference from "../../reference/sde-ode-vectors.json" with { type: "json" };
import { runGaussianKl } from "./kl-gaussian.js";
import { GaussianKlConfig } from "./paper-config.js";

// A parameter set unlike the reference vector's (μ 0.7, s 0.5, level 600, shift +0.8 sd, variance x1.7): a negative
// mean, data wider than the noise, an edit that narrows the law, and other grids.
const config = GaussianKlConfig.parse({
  data: { mean: -0.4, std: 1.3 },
  startLevel: 450,
  edit: { meanShiftSd: -0.6, varianceFactor: 0.45 },
  strides: [30, 9],
  samples: 2 ** 15,
  seed: 77,
  checkpoints: 6,
});

interface Law {
  m: number;
  V: number;
}

const kl = (p: Law, q: Law) => 0.5 * (p.V / q.V + (p.m - q.m) ** 2 / q.V - 1 - Math.log(p.V / q.V));

/**
 * ALGORITHMS 3, written out here: with x_0 ~ N(μ, s²) and the exact ε, one step t -> s of Eq. 6 maps N(m, V) to
 * N(A m + B, A² V + σ²), A = (a_s a_t s² + d c_t)/v_t, B = μ (a_s (1 - ᾱ_t) - d c_t a_t)/v_t, d = √(1 - ᾱ_s - σ²),
 * σ = η √((1 - ᾱ_s)/(1 - ᾱ_t)) √(1 - ᾱ_t/ᾱ_s).
 */
function step(law: Law, t: number, s: number, eta: number): Law {
  const { mean: mu, std } = config.data;
  const [abarT, abarS] = [abarAt(t), abarAt(s)];
  const sigma = eta * Math.sqrt((1 - abarS) / (1 - abarT)) * Math.sqrt(1 - abarT / abarS);
  const d = Math.sqrt(Math.max(0, 1 - abarS - sigma ** 2));
  const vT = abarT * std ** 2 + 1 - abarT;
  const A = (Math.sqrt(abarS * abarT) * std ** 2 + d * Math.sqrt(1 - abarT)) / vT;
  const B = (mu * (Math.sqrt(abarS) * (1 - abarT) - d * Math.sqrt(1 - abarT) * Math.sqrt(abarT))) / vT;
  return { m: A * law.m + B, V: A * A * law.V + sigma ** 2 };
}

/**
 * 4 standard deviations of KL(N(m̂, V̂) || q) for n draws of p, by the delta method (Var m̂ = V/n, Var V̂ = 2V²/n),
 * plus the plug-in estimator's O(1/n) bias.
 */
function tolerance(p: Law, q: Law, n: number): number {
  const sd = Math.sqrt((((p.m - q.m) / q.V) ** 2 * p.V) / n + ((0.5 * (1 / q.V - 1 / p.V)) ** 2 * 2 * p.V ** 2) / n);
  return 4 * sd + p.V / (2 * n * q.V) + 1 / (2 * n);
}

describe("runGaussianKl (experiment 1a) against the closed form of ALGORITHMS 3", async () => {
  const result = await runGaussianKl(config);
  const abar0 = abarAt(config.startLevel);
  const v0 = abar0 * config.data.std ** 2 + 1 - abar0;
  const trueStart = { m: Math.sqrt(abar0) * config.data.mean, V: v0 };
  const editedStart = { m: trueStart.m - 0.6 * Math.sqrt(v0), V: 0.45 * v0 };

  it("differs from the reference vector's parameters", () => {
    expect(config.data.mean).not.toBe(reference.gaussian.mu);
    expect(config.startLevel).not.toBe(reference.gaussian.t0);
    expect(result.startKl).toBeCloseTo(kl(editedStart, trueStart), 12);
  });

  for (const run of result.runs) {
    it(`${run.sampler}, stride ${run.stride}: the measured KL(t) follows the closed form at every observed level`, () => {
      const levels: number[] = [];
      for (let t = config.startLevel; t >= 0; t -= run.stride) levels.push(t);
      levels.push(-1);
      expect(run.steps).toBe(levels.length - 1);
      expect(run.curve.levels[0]).toBe(config.startLevel);
      expect(run.curve.levels.at(-1)).toBe(-1);
      const eta = run.sampler === "sde" ? 1 : 0;
      let [edited, truth, k] = [editedStart, trueStart, 0];
      run.curve.levels.forEach((level, i) => {
        for (; levels[k] !== level; k++) {
          edited = step(edited, levels[k]!, levels[k + 1]!, eta);
          truth = step(truth, levels[k]!, levels[k + 1]!, eta);
        }
        const exact = kl(edited, truth);
        expect(run.curve.closedForm[i]).toBeCloseTo(exact, 10);
        expect(Math.abs(run.curve.measured[i]! - exact)).toBeLessThanOrEqual(tolerance(edited, truth, config.samples));
      });
      const data = { m: config.data.mean, V: config.data.std ** 2 };
      expect(run.klToDataEnd.closedForm).toBeCloseTo(kl(edited, data), 10);
    });
  }

  it("keeps KL constant under the ODE and lowers it under the SDE (Thms 3.1/3.2)", () => {
    for (const run of result.runs) {
      const kls = run.curve.closedForm;
      for (let i = 1; i < kls.length; i++) {
        if (run.sampler === "ode") expect(kls[i]).toBeCloseTo(kls[0]!, 10);
        else expect(kls[i]).toBeLessThan(kls[i - 1]!);
      }
      if (run.sampler === "sde") expect(kls.at(-1)).toBeLessThan(0.7 * kls[0]!);
    }
  });
});
