/** @module kl-mixture: experiment 1b, the paper's toy: an edit that reweights the modes of a 1-D Gaussian mixture. */

import {
  abarAt,
  GaussianMixture,
  GaussianMixtureNoisePredictor,
  GaussianRng,
  samplerEta,
  stepCount,
} from "@stochedit/gpu-runner/sampling";
import type { Sampler } from "@stochedit/shared";
import { binnedKl } from "./binned-kl.js";
import { checkpointIndices, strideGrid, traceChain } from "./chain-trace.js";
import type { MixtureKlConfig } from "./paper-config.js";
import { UniformRng } from "./uniform-rng.js";

/** Per observed level, for the edited chain and for the true chain (the true marginal at t0 run down the same grid). */
export interface MixtureChainStats {
  /** Mean posterior weight of each component under the exact marginal p_t: π_k for samples of p_t. */
  readonly modeWeights: number[][];
  /** Mean log p_t(x) of the samples, nats (p_t the exact marginal). */
  readonly logLikelihood: number[];
}

export interface MixtureKlRun {
  readonly startLevel: number;
  readonly stride: number;
  readonly steps: number;
  readonly sampler: Sampler;
  readonly levels: number[];
  /** binnedKl(edited chain's samples || true chain's samples) at each level. */
  readonly klBinned: number[];
  /**
   * KL(w || π) of the edited chain's mean posterior weights w against the true weights π: a lower bound of KL(q_t || p_t)
   * at every level (data processing through x -> k). The exact reverse SDE keeps w constant (E[r_k(x_s) | x_t] =
   * r_k(x_t)), so the SDE cannot take the KL below the bound it starts with; the ODE is free to move w.
   */
  readonly klModeBound: number[];
  readonly edited: MixtureChainStats;
  readonly truth: MixtureChainStats;
}

export interface MixtureKlResult {
  readonly trueWeights: number[];
  readonly editedWeights: number[];
  /** About the binned estimate's bias for two samples of one law, (bins - 1)/samples. */
  readonly klFloor: number;
  readonly runs: MixtureKlRun[];
}

/**
 * The edited start draws component k with the edited weight and then x ~ N(a μ_k, ᾱ s_k² + 1 - ᾱ): the right shapes
 * with the wrong mode weights. Both chains go through one sampleEta run as the two halves of one batch of points.
 */
export async function runMixtureKl(config: MixtureKlConfig): Promise<MixtureKlResult> {
  const { samples } = config;
  const mixture = new GaussianMixture(config.components.map((c) => ({ ...c, mean: [c.mean] })));
  const editedMixture = new GaussianMixture(
    config.components.map((c, k) => ({ ...c, weight: config.editedWeights[k]!, mean: [c.mean] })),
  );
  const predictor = new GaussianMixtureNoisePredictor(mixture);
  const runs: MixtureKlRun[] = [];
  const grids = config.startLevels.flatMap((startLevel) => config.strides.map((stride) => ({ startLevel, stride })));
  for (const [g, { startLevel, stride }] of grids.entries()) {
    const grid = strideGrid(startLevel, stride);
    for (const sampler of ["ode", "sde"] as const) {
      const eta = samplerEta[sampler];
      const rng = new GaussianRng(config.seed + 2 * g + eta);
      const uniform = new UniformRng(config.seed + 2 * g + eta);
      const x = new Float32Array(2 * samples);
      const startEdited = editedMixture.noised(abarAt(startLevel));
      const startTrue = mixture.noised(abarAt(startLevel));
      for (let i = 0; i < samples; i++) {
        startEdited.sampleComponent(startEdited.componentAt(uniform.next()), rng, x, i);
        startTrue.sampleComponent(startTrue.componentAt(uniform.next()), rng, x, samples + i);
      }
      const run: MixtureKlRun = {
        startLevel,
        stride,
        steps: stepCount(grid),
        sampler,
        levels: [],
        klBinned: [],
        klModeBound: [],
        edited: { modeWeights: [], logLikelihood: [] },
        truth: { modeWeights: [], logLikelihood: [] },
      };
      await traceChain({
        predictor,
        x,
        grid,
        eta,
        rng,
        observeAt: checkpointIndices(stepCount(grid), config.checkpoints),
        observe: (level, values) => {
          const marginal = mixture.noised(abarAt(level));
          const [edited, truth] = [values.subarray(0, samples), values.subarray(samples)];
          run.levels.push(level);
          run.klBinned.push(binnedKl(edited, truth, config.bins));
          for (const [half, stats] of [
            [edited, run.edited],
            [truth, run.truth],
          ] as const) {
            const { weights, logLikelihood } = averagePosterior(marginal, half);
            stats.modeWeights.push(weights);
            stats.logLikelihood.push(logLikelihood);
          }
          run.klModeBound.push(categoricalKl(run.edited.modeWeights.at(-1)!, mixture.weights));
        },
      });
      runs.push(run);
    }
  }
  return {
    trueWeights: Array.from(mixture.weights),
    editedWeights: Array.from(editedMixture.weights),
    klFloor: (config.bins - 1) / samples,
    runs,
  };
}

/** Mean posterior weights and mean log density of 1-D points under `law`. */
function averagePosterior(law: GaussianMixture, points: Float32Array): { weights: number[]; logLikelihood: number } {
  const r = new Float64Array(law.componentCount);
  const sums = new Float64Array(law.componentCount);
  let logLikelihood = 0;
  for (let i = 0; i < points.length; i++) {
    logLikelihood += law.posteriorWeights(points, i, r);
    for (let k = 0; k < r.length; k++) sums[k]! += r[k]!;
  }
  return { weights: Array.from(sums, (s) => s / points.length), logLikelihood: logLikelihood / points.length };
}

/** KL(w || π) of two categorical laws. */
function categoricalKl(w: readonly number[], pi: Float64Array): number {
  return w.reduce((sum, wk, k) => (wk > 0 ? sum + wk * Math.log(wk / pi[k]!) : sum), 0);
}
