/** @module kl-gaussian: experiment 1a, KL(t) along the ODE and the SDE from an edited Gaussian start (ALGORITHMS 3). */

import { abarAt, GaussianNoisePredictor, GaussianRng, samplerEta, stepCount } from "@stochedit/gpu-runner/sampling";
import type { Sampler } from "@stochedit/shared";
import { checkpointIndices, strideGrid, traceChain } from "./chain-trace.js";
import {
  fittedMoments,
  type GaussianMoments,
  klGaussian,
  klMonteCarloTolerance,
  marginalAt,
  pushGaussianThroughStep,
} from "./gaussian-closed-form.js";
import type { GaussianKlConfig } from "./paper-config.js";

/** KL(law of the edited chain || law of the true chain) at each observed level. */
export interface GaussianKlCurve {
  readonly levels: number[];
  /** From the closed-form laws of both chains. */
  readonly closedForm: number[];
  /** KL(N fitted to the samples || closed-form law of the true chain). */
  readonly measured: number[];
  /** klMonteCarloTolerance of each measured value. */
  readonly tolerance: number[];
}

export interface GaussianKlRun {
  readonly stride: number;
  readonly steps: number;
  readonly sampler: Sampler;
  readonly curve: GaussianKlCurve;
  /** KL(edited chain's final law || the data N(μ, s²)). */
  readonly klToDataEnd: { readonly closedForm: number; readonly measured: number };
}

export interface GaussianKlResult {
  /** The edited start N(m, V) and the true marginal at startLevel. */
  readonly editedStart: GaussianMoments;
  readonly trueStart: GaussianMoments;
  readonly startKl: number;
  readonly runs: GaussianKlRun[];
}

export async function runGaussianKl(config: GaussianKlConfig): Promise<GaussianKlResult> {
  const { data, startLevel, edit, samples } = config;
  const trueStart = marginalAt(abarAt(startLevel), data);
  const editedStart: GaussianMoments = {
    mean: trueStart.mean + edit.meanShiftSd * Math.sqrt(trueStart.variance),
    variance: edit.varianceFactor * trueStart.variance,
  };
  const runs: GaussianKlRun[] = [];
  for (const [g, stride] of config.strides.entries()) {
    const grid = strideGrid(startLevel, stride);
    const observeAt = checkpointIndices(stepCount(grid), config.checkpoints);
    for (const sampler of ["ode", "sde"] as const) {
      const eta = samplerEta[sampler];
      const curve: GaussianKlCurve = { levels: [], closedForm: [], measured: [], tolerance: [] };
      // Both chains' exact laws, advanced to each observed level as the samples get there.
      let [edited, truth, at] = [editedStart, trueStart, 0];
      const rng = new GaussianRng(config.seed + 2 * g + eta);
      const x = rng.fill(new Float32Array(samples));
      const sd = Math.sqrt(editedStart.variance);
      for (let i = 0; i < x.length; i++) x[i] = editedStart.mean + sd * x[i]!;
      let fittedEnd = editedStart;
      await traceChain({
        predictor: new GaussianNoisePredictor(data),
        x,
        grid,
        eta,
        rng,
        observeAt,
        observe: (level, values) => {
          for (; grid.levels[at] !== level; at++) {
            edited = pushGaussianThroughStep(edited, grid.levels[at]!, grid.levels[at + 1]!, eta, data);
            truth = pushGaussianThroughStep(truth, grid.levels[at]!, grid.levels[at + 1]!, eta, data);
          }
          fittedEnd = fittedMoments(values);
          curve.levels.push(level);
          curve.closedForm.push(klGaussian(edited, truth));
          curve.measured.push(klGaussian(fittedEnd, truth));
          curve.tolerance.push(klMonteCarloTolerance(edited, truth, samples));
        },
      });
      const dataLaw = { mean: data.mean, variance: data.std ** 2 };
      runs.push({
        stride,
        steps: stepCount(grid),
        sampler,
        curve,
        klToDataEnd: { closedForm: klGaussian(edited, dataLaw), measured: klGaussian(fittedEnd, dataLaw) },
      });
    }
  }
  return { editedStart, trueStart, startKl: klGaussian(editedStart, trueStart), runs };
}
