/** @module denoise: stage 2 of every task, Eq. 6 from the start level down to the clean level (ALGORITHMS 3). */
import type { Sampler } from "@stochedit/shared";
import { etaStep, stepCoefficients } from "../diffusion/eta-step.js";
import type { GaussianRng } from "../diffusion/gaussian-rng.js";
import type { GuidedNoise } from "../diffusion/guided-noise.js";
import { type StepGrid, stepCount } from "../diffusion/step-grid.js";
import type { PreviewTap } from "./preview-tap.js";
import type { StepCounter } from "./step-counter.js";

/** sde: DDPM ancestral sampling (η = 1); ode: DDIM, the probability-flow ODE (η = 0). */
export const samplerEta = { sde: 1, ode: 0 } as const satisfies Record<Sampler, number>;

export interface DenoiseRun {
  /** The latent at grid.levels[0]; each step overwrites it, and it ends at the clean level. */
  readonly x: Float32Array;
  readonly grid: StepGrid;
  /** 0: DDIM, the ODE; 1: DDPM, the SDE. */
  readonly eta: number;
  /** One branch: x. */
  readonly noise: GuidedNoise;
  /** Guidance of step k (k = 0 at the start level). */
  readonly guidance: (k: number) => number;
  /** Source of w for every step with σ > 0, drawn in step order. */
  readonly rng: GaussianRng;
  readonly counter: StepCounter;
  /** Runs after step k, when x is at grid.levels[k + 1]: where a task puts back the region it keeps. */
  readonly afterStep?: (k: number) => void;
  /** Sees x and e of every step before x moves (previews). */
  readonly previews?: PreviewTap;
}

export async function denoise(run: DenoiseRun): Promise<void> {
  const { x, grid, eta, noise, rng, counter } = run;
  const w = eta > 0 ? new Float32Array(x.length) : undefined;
  for (let k = 0; k < stepCount(grid); k++) {
    counter.throwIfCanceled();
    const prediction = noise.predict([x], grid.levels[k]!, run.guidance(k));
    const c = stepCoefficients(grid.levels[k]!, grid.levels[k + 1]!, eta);
    // The step's noise does not depend on the model's output: it is drawn while the model runs.
    const stepNoise = w && c.sigma > 0 ? rng.fill(w) : undefined;
    const [e] = await prediction;
    if (run.previews) await run.previews.step(x, e!, c);
    etaStep(x, x, e!, c, stepNoise);
    run.afterStep?.(k);
    counter.stepDone();
  }
}
