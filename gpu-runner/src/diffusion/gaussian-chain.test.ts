import { describe, expect, it } from "vitest";
import reference from "../../../reference/sde-ode-vectors.json" with { type: "json" };
import { GaussianNoisePredictor } from "../analytic/gaussian-noise-predictor.js";
import { GaussianRng } from "./gaussian-rng.js";
import { GuidedNoise } from "./guided-noise.js";
import { sampleEta, samplerEta } from "./samplers.js";
import { abarAt } from "./schedule.js";
import { gridFromLevels, type StepGrid } from "./step-grid.js";

// ALGORITHMS 3: data x_0 ~ N(μ, s²) per dimension, the exact noise predictor, and an edited start N(m, V) at level 600
// that differs from the true marginal N(a μ, v). The real sampler loop (sampleEta) carries a large batch of samples down each
// reference grid; the KL of the Gaussian fitted to the final samples against the chain's true final marginal must stay
// at its start value under the ODE and fall to the reference value under the SDE.

const { mu, s: std, t0, edit } = reference.gaussian;

interface Moments {
  mean: number;
  variance: number;
}

/** KL(N(p) || N(q)). */
function klGaussian(p: Moments, q: Moments): number {
  const ratio = p.variance / q.variance;
  return 0.5 * (ratio + (p.mean - q.mean) ** 2 / q.variance - 1 - Math.log(ratio));
}

/** The exact law after one step is N(A m + B, A² V + σ²) (ALGORITHMS 3), written out here independently of eta-step.ts. */
function pushThroughChain(start: Moments, levels: readonly number[], eta: number): Moments {
  let { mean, variance } = start;
  for (let k = 0; k + 1 < levels.length; k++) {
    const abarT = abarAt(levels[k]!);
    const abarS = abarAt(levels[k + 1]!);
    const [aT, cT, aS] = [Math.sqrt(abarT), Math.sqrt(1 - abarT), Math.sqrt(abarS)];
    const sigma = eta * Math.sqrt((1 - abarS) / (1 - abarT)) * Math.sqrt(1 - abarT / abarS);
    const d = Math.sqrt(Math.max(0, 1 - abarS - sigma ** 2));
    const vT = abarT * std ** 2 + 1 - abarT;
    const A = (aS * aT * std ** 2 + d * cT) / vT;
    const B = (mu * (aS * (1 - abarT) - d * cT * aT)) / vT;
    mean = A * mean + B;
    variance = A * A * variance + sigma ** 2;
  }
  return { mean, variance };
}

function sampleMoments(x: Float32Array): Moments {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let squares = 0;
  for (const v of x) squares += (v - mean) ** 2;
  return { mean, variance: squares / (x.length - 1) };
}

/**
 * Monte-Carlo tolerance of KL(fitted N(m̂, V̂) || q) from n iid samples of N(m, V): delta method with
 * Var(m̂) = V/n and Var(V̂) = 2V²/n, dKL/dm = (m - m0)/V0, dKL/dV = (1/V0 - 1/V)/2, so 4 standard deviations, plus
 * the estimator's bias V/(2 n V0) + 1/(2n) from the second derivatives.
 */
function klTolerance(p: Moments, q: Moments, n: number): number {
  const dMean = (p.mean - q.mean) / q.variance;
  const dVariance = 0.5 * (1 / q.variance - 1 / p.variance);
  const sd = Math.sqrt((dMean ** 2 * p.variance) / n + (dVariance ** 2 * 2 * p.variance ** 2) / n);
  const bias = p.variance / (2 * n * q.variance) + 1 / (2 * n);
  return 4 * sd + bias;
}

function referenceLevels(stride: number): number[] {
  const levels: number[] = [];
  for (let t = t0; t >= 0; t -= stride) levels.push(t);
  return levels;
}

/** Runs `sampleCount` edited samples down the grid; returns the fitted moments at the start and after each step k in `checkpoints`. */
async function runChain(
  grid: StepGrid,
  eta: number,
  sampleCount: number,
  seed: number,
  checkpoints: readonly number[] = [],
): Promise<{ fittedStart: Moments; fittedAt: Map<number, Moments> }> {
  const predictor = new GaussianNoisePredictor({ mean: mu, std });
  const model = new GuidedNoise({
    predictor,
    conditions: { cond: await predictor.encodePrompt("") },
    itemShape: [1, 1, 1, sampleCount],
    branches: 1,
  });
  const rng = new GaussianRng(seed);
  const x = rng.fill(new Float32Array(sampleCount));
  const editSd = Math.sqrt(edit.var);
  for (let i = 0; i < x.length; i++) x[i] = edit.mean + editSd * x[i]!;
  const fittedStart = sampleMoments(x);
  const fittedAt = new Map<number, Moments>();
  await sampleEta(model, x, grid, {
    eta,
    guidance: () => 1,
    rng,
    afterStep: (k) => {
      if (checkpoints.includes(k)) fittedAt.set(k, sampleMoments(x));
    },
  });
  return { fittedStart, fittedAt };
}

const abar0 = abarAt(t0);
const trueStart: Moments = { mean: Math.sqrt(abar0) * mu, variance: abar0 * std ** 2 + 1 - abar0 };
const editedStart: Moments = { mean: edit.mean, variance: edit.var };

// Sample counts keep each chain to about a second: the 1000-step grid takes 5x the steps of the 200-step one.
const sampleCounts: Record<number, number> = { 50: 2 ** 18, 200: 2 ** 18, 1000: 2 ** 16 };

describe("the Gaussian chain of ALGORITHMS 3 through sampleEta with the exact predictor", () => {
  it("starts from the reference edit, whose KL to the true marginal is the reference kl_ode", () => {
    expect(klGaussian(editedStart, trueStart)).toBeCloseTo(reference.gaussian.closed_form.kl_ode, 12);
  });

  for (const chain of reference.gaussian.chains) {
    const levels = referenceLevels(chain.stride);
    const grid = gridFromLevels(levels);
    const n = sampleCounts[chain.n]!;

    it(`builds the ${chain.n}-step reference grid: ${chain.num_steps} steps from ${chain.grid_first.join(", ")}`, () => {
      expect(levels.slice(0, 3)).toEqual(chain.grid_first);
      expect(grid.levels.length - 1).toBe(chain.num_steps);
      expect(grid.levels.at(-1)).toBe(-1);
    });

    for (const sampler of ["ode", "sde"] as const) {
      const eta = samplerEta[sampler];
      const expected = chain[sampler];

      it(`${sampler}, ${chain.n}-step grid: the closed form reproduces the reference KL (${expected.kl_end.toFixed(6)})`, () => {
        const edited = pushThroughChain(editedStart, grid.levels, eta);
        const truth = pushThroughChain(trueStart, grid.levels, eta);
        expect(klGaussian(edited, truth)).toBeCloseTo(expected.kl_end, 9);
        expect(klGaussian(edited, { mean: mu, variance: std ** 2 })).toBeCloseTo(expected.kl_vs_data_end, 9);
      });

      it(`${sampler}, ${chain.n}-step grid: ${n} samples follow the exact KL to ${expected.kl_end.toFixed(6)}`, async () => {
        const steps = grid.levels.length - 1;
        const checkpoints = [steps >> 2, steps >> 1, (3 * steps) >> 2, steps - 1];
        const { fittedStart, fittedAt } = await runChain(grid, eta, n, 1000 + chain.n, checkpoints);
        const exactKl: number[] = [];
        for (const k of checkpoints) {
          // After step k the samples sit at levels[k + 1].
          const visited = grid.levels.slice(0, k + 2);
          const truth = pushThroughChain(trueStart, visited, eta);
          const exact = pushThroughChain(editedStart, visited, eta);
          const measured = klGaussian(fittedAt.get(k)!, truth);
          const tolerance = klTolerance(exact, truth, n);
          exactKl.push(klGaussian(exact, truth));
          expect(Math.abs(measured - exactKl.at(-1)!)).toBeLessThanOrEqual(tolerance);
          if (k === steps - 1) {
            expect(Math.abs(measured - expected.kl_end)).toBeLessThanOrEqual(tolerance);
            console.info(
              `${sampler} ${chain.n}-step grid, ${n} samples: KL ${measured.toFixed(6)} vs reference ${expected.kl_end.toFixed(6)} (tolerance ${tolerance.toExponential(2)})`,
            );
          }
        }
        // The curve the samples followed: constant under the ODE, falling under the SDE (Thms 3.1/3.2).
        for (let i = 1; i < exactKl.length; i++) {
          if (eta === 0) expect(exactKl[i]).toBeCloseTo(exactKl[0]!, 12);
          else expect(exactKl[i]).toBeLessThan(exactKl[i - 1]!);
        }
        if (eta === 0) {
          // Each DDIM step is affine for this predictor, so only float32 rounding can move the fitted KL.
          const klStart = klGaussian(fittedStart, trueStart);
          const klEnd = klGaussian(fittedAt.get(steps - 1)!, pushThroughChain(trueStart, grid.levels, 0));
          expect(Math.abs(klEnd - klStart)).toBeLessThan(1e-5);
        }
      });
    }
  }
});
