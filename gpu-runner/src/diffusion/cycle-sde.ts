/** @module cycle-sde: Cycle-SDE's noise recording (forward) and the backward step that replays it (ALGORITHMS 4). */
import { etaStep, type StepCoefficients } from "./eta-step.js";
import { forwardNoise } from "./forward-noise.js";
import type { GaussianRng } from "./gaussian-rng.js";
import type { StepGrid } from "./step-grid.js";

// Legend: rec[k] = the recorded latent at grid.levels[k]; recT, recS = rec at levels t > s of one step;
// eRec = ε_θ(rec_t, t) with the same guidance as e = ε_θ(x_t, t); w = the noise that carries rec_t to rec_s.

/**
 * Walks the grid upward from the clean latent with fresh noise, writing rec[k] for every level (no model call).
 * recorded[k] must hold one latent per grid level; the last one (level -1) receives x0 itself.
 */
export function recordCycleForward(x0: Float32Array, grid: StepGrid, rng: GaussianRng, recorded: Float32Array[]): void {
  const last = grid.levels.length - 1;
  recorded[last]!.set(x0);
  for (let k = last - 1; k >= 0; k--) {
    const z = rng.fill(recorded[k]!);
    forwardNoise(recorded[k]!, recorded[k + 1]!, grid.levels[k + 1]!, grid.levels[k]!, z);
  }
}

/** w = (rec_s - a_s x̂0(rec_t, e_rec) - √(1 - ᾱ_s - σ²) e_rec) / σ, into w. Needs σ > 0 (η = 1, above level -1). */
export function cycleNoise(
  w: Float32Array,
  recT: Float32Array,
  recS: Float32Array,
  eRec: Float32Array,
  c: StepCoefficients,
): void {
  const { aT, cT, aS, sigma, dirCoeff } = c;
  for (let i = 0; i < w.length; i++) {
    const x0HatRec = (recT[i]! - cT * eRec[i]!) / aT;
    w[i] = (recS[i]! - aS * x0HatRec - dirCoeff * eRec[i]!) / sigma;
  }
}

/**
 * One backward Cycle-SDE step of x from level t to s: Eq. 6 with the recovered w, into out (which may be x); `scratch`
 * is a buffer of the latent's size. Without an edit (x = rec_t) it returns rec_s.
 *
 * On the step into the clean level σ = 0, so no w exists. The same equation is then written with σ w as what it
 * stands for, the recorded residual rec_s - (a_s x̂0(rec_t, e_rec) + √(1 - ᾱ_s) e_rec), which keeps reconstruction
 * exact down to the input latent. (The reference code never takes this step: it treats the clean latent as the
 * lowest grid level.)
 */
export function cycleSdeStep(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  recT: Float32Array,
  recS: Float32Array,
  eRec: Float32Array,
  c: StepCoefficients,
  scratch: Float32Array,
): void {
  if (c.sigma > 0) {
    cycleNoise(scratch, recT, recS, eRec, c);
    etaStep(out, x, e, c, scratch);
    return;
  }
  etaStep(scratch, recT, eRec, c);
  etaStep(out, x, e, c);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + (recS[i]! - scratch[i]!);
}
