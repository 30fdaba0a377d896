/**
 * @module samplers: every sampler loop of the runner, one function each, like k-diffusion's sampling.py: Eq. 6 down
 * the grid (DDPM / DDIM), Cycle-SDE's recording and replay, DDIM inversion (ALGORITHMS 3-5).
 */
import type { Sampler } from "@stochedit/shared";
import { cleanEstimate } from "./clean-estimate.js";
import { cycleSdeStep } from "./cycle-sde.js";
import { ddimInversionStep } from "./ddim-inversion.js";
import { etaStep, type StepCoefficients, stepCoefficients } from "./eta-step.js";
import { forwardNoise } from "./forward-noise.js";
import type { GaussianSource } from "./gaussian-rng.js";
import type { GuidedNoise } from "./guided-noise.js";
import { abarAt } from "./schedule.js";
import { type StepGrid, stepCount } from "./step-grid.js";

// Legend (ALGORITHMS 2): model = ε_θ with classifier-free guidance folded in; x = the latent a loop carries, at
// grid.levels[k] before step k; e = the model's noise of step k; rec[k] = the latent recorded at grid.levels[k].
// Every loop takes (model, x, grid, options) and moves x in place; options carry onStep and signal.

/** sde: DDPM ancestral sampling (η = 1); ode: DDIM, the probability-flow ODE (η = 0). */
export const samplerEta = { sde: 1, ode: 0 } as const satisfies Record<Sampler, number>;

/** What onStep sees of step k: the model has run, x has not moved yet (k-diffusion's callback). */
export interface SamplerStep {
  readonly k: number;
  /** The latent the step starts from; valid during onStep only (the loop moves it next). */
  readonly x: Float32Array;
  /** x̂0 = (x - √(1-ᾱ) e) / √ᾱ at x's level, computed on call: the picture the step is heading for. */
  x0Hat(): Float32Array;
}

export interface SamplerOptions {
  /** Guidance of step k. */
  readonly guidance: (k: number) => number;
  /** Once per step, after the model call and before x moves; awaited before the loop goes on. */
  readonly onStep?: (step: SamplerStep) => void | Promise<void>;
  /** Checked before every model call: once aborted the loop throws the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface DenoiseOptions extends SamplerOptions {
  /** Runs after step k, when x is at grid.levels[k + 1]: where a task puts back the region it keeps. */
  readonly afterStep?: (k: number) => void;
}

export interface EtaOptions extends DenoiseOptions {
  /** 0: DDIM, the ODE; 1: DDPM, the SDE. */
  readonly eta: number;
  /** Source of w for every step with σ > 0, drawn in step order. */
  readonly rng: GaussianSource;
}

/**
 * Eq. 6 from grid.levels[0] down to the clean level: DDIM at η = 0, DDPM (ancestral) at η = 1. Stage 2 of img2img
 * and inpaint, and of ODE-Drag. One model call per step, one branch.
 */
export async function sampleEta(
  model: GuidedNoise,
  x: Float32Array,
  grid: StepGrid,
  options: EtaOptions,
): Promise<void> {
  const { eta, rng, onStep, signal, afterStep } = options;
  const w = eta > 0 ? new Float32Array(x.length) : undefined;
  for (let k = 0; k < stepCount(grid); k++) {
    signal?.throwIfAborted();
    const prediction = model.predict([x], grid.levels[k]!, options.guidance(k));
    const c = stepCoefficients(grid.levels[k]!, grid.levels[k + 1]!, eta);
    // The step's noise does not depend on the model's output: it is drawn while the model runs.
    const stepNoise = w && c.sigma > 0 ? rng.fill(w) : undefined;
    const [e] = await prediction;
    if (onStep) await onStep(samplerStep(k, x, e!, c));
    etaStep(x, x, e!, c, stepNoise);
    afterStep?.(k);
  }
}

export interface CycleSdeOptions extends DenoiseOptions {
  /** recordCycleForward's latents, one per grid level. */
  readonly recorded: readonly Float32Array[];
  /** Work that needs no model output (a later pass's noise), done after each call is sent and before it is awaited. */
  readonly whileModelRuns?: () => void;
}

/**
 * SDE-Drag's stage 2 (ALGORITHMS 4): each step evaluates x and rec[k] in one call (the model has two branches: batch
 * 4 with guidance) and steps x with the noise that carries rec[k] to rec[k + 1]. Without an edit (x = rec[0]) x
 * retraces the recorded latents down to the input.
 */
export async function sampleCycleSde(
  model: GuidedNoise,
  x: Float32Array,
  grid: StepGrid,
  options: CycleSdeOptions,
): Promise<void> {
  const { recorded, onStep, signal, afterStep, whileModelRuns } = options;
  const scratch = new Float32Array(x.length);
  for (let k = 0; k < stepCount(grid); k++) {
    signal?.throwIfAborted();
    const prediction = model.predict([x, recorded[k]!], grid.levels[k]!, options.guidance(k));
    whileModelRuns?.();
    const [e, eRec] = await prediction;
    const c = stepCoefficients(grid.levels[k]!, grid.levels[k + 1]!, 1);
    if (onStep) await onStep(samplerStep(k, x, e!, c));
    cycleSdeStep(x, x, e!, recorded[k]!, recorded[k + 1]!, eRec!, c, scratch);
    afterStep?.(k);
  }
}

export interface RecordOptions {
  /** One latent per grid level, written by the loop; the last one (level -1) receives the clean latent. */
  readonly recorded: readonly Float32Array[];
}

/**
 * SDE-Drag's stage 1 (ALGORITHMS 4): x from the clean level up to grid.levels[0], level by level with fresh noise,
 * recording every level. It calls no model, so it takes none and has no steps to report. The noise comes from rng,
 * or from `drawn` (NoiseAhead.take: the same draws, made earlier).
 */
export function recordCycleForward(
  x: Float32Array,
  grid: StepGrid,
  options: RecordOptions & { readonly rng: GaussianSource; readonly drawn?: readonly Float32Array[] },
): void {
  const { recorded, rng, drawn } = options;
  const last = grid.levels.length - 1;
  recorded[last]!.set(x);
  for (let k = last - 1; k >= 0; k--) {
    const z = drawn ? drawn[k]! : rng.fill(recorded[k]!);
    forwardNoise(recorded[k]!, recorded[k + 1]!, grid.levels[k + 1]!, grid.levels[k]!, z);
  }
  x.set(recorded[0]!);
}

/**
 * ODE-Drag's stage 1: DDIM inversion of x from the clean level up to grid.levels[0], recording every level. Step k
 * goes from rec[k + 1] up to rec[k], with e predicted at the target level under the guidance of that level.
 */
export async function invertDdim(
  model: GuidedNoise,
  x: Float32Array,
  grid: StepGrid,
  options: SamplerOptions & RecordOptions,
): Promise<void> {
  const { recorded, onStep, signal } = options;
  const last = grid.levels.length - 1;
  recorded[last]!.set(x);
  for (let k = last - 1; k >= 0; k--) {
    signal?.throwIfAborted();
    const [e] = await model.predict([recorded[k + 1]!], grid.levels[k]!, options.guidance(k));
    if (onStep) await onStep(samplerStep(k, recorded[k + 1]!, e!, levelCoefficients(grid.levels[k + 1]!)));
    ddimInversionStep(recorded[k]!, recorded[k + 1]!, e!, grid.levels[k + 1]!, grid.levels[k]!);
  }
  x.set(recorded[0]!);
}

function samplerStep(k: number, x: Float32Array, e: Float32Array, c: Pick<StepCoefficients, "aT" | "cT">): SamplerStep {
  return {
    k,
    x,
    x0Hat() {
      const estimate = new Float32Array(x.length);
      cleanEstimate(estimate, x, e, c);
      return estimate;
    },
  };
}

/** √ᾱ and √(1-ᾱ) at the level an inversion step starts from (the clean level included). */
function levelCoefficients(level: number): Pick<StepCoefficients, "aT" | "cT"> {
  const abar = abarAt(level);
  return { aT: Math.sqrt(abar), cT: Math.sqrt(1 - abar) };
}
