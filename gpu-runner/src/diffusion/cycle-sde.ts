/** @module cycle-sde: Cycle-SDE's backward step, which replays the recorded noise (ALGORITHMS 4; loops in samplers). */
import { etaStep, type StepCoefficients } from "./eta-step.js";
import { kernels, runKernel } from "./kernels/kernels.js";

// Legend: rec[k] = the recorded latent at grid.levels[k]; recT, recS = rec at levels t > s of one step;
// eRec = ε_θ(rec_t, t) with the same guidance as e = ε_θ(x_t, t); w = the noise that carries rec_t to rec_s.

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
 * Above the clean level this is cycleNoise then etaStep in one pass, w rounded to float32 as the scratch buffer of the
 * two-pass form would hold it: the same bytes, one read of each input. That pass is a kernel (kernels.wat):
 *   x0HatRec = (rec_t - c_t e_rec) / a_t;  w = (rec_s - a_s x0HatRec - dirCoeff e_rec) / σ;
 *   x0Hat = (x - c_t e) / a_t;  out = a_s x0Hat + dirCoeff e + σ w.
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
    const { aT, cT, aS, sigma, dirCoeff } = c;
    runKernel(out, [x, e, recT, recS, eRec], (at, n) =>
      kernels.cycleSdeStep(at(0), at(1), at(2), at(3), at(4), at(5), n, aT, cT, aS, sigma, dirCoeff),
    );
    return;
  }
  etaStep(scratch, recT, eRec, c);
  etaStep(out, x, e, c);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + (recS[i]! - scratch[i]!);
}
