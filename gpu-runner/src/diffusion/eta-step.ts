/** @module eta-step: the one step of Eq. 6 that is DDIM (the ODE) at η = 0 and DDPM (the SDE) at η = 1. */
import { kernels, runKernel } from "./kernels/kernels.js";
import { abarAt } from "./schedule.js";

// Legend (ALGORITHMS 2): abarT, abarS = ᾱ_t, ᾱ_s (s < t); aT = √ᾱ_t, cT = √(1-ᾱ_t); x0Hat = x̂0;
// e = ε_θ(x_t, t); w ~ N(0, I); sigma = σ(η); dirCoeff = √(1 - ᾱ_s - σ²). Eq. 6 of Nie et al. (2024).

/** The scalars of one step from level t down to level s. */
export interface StepCoefficients {
  readonly t: number;
  readonly s: number;
  readonly aT: number;
  readonly cT: number;
  readonly aS: number;
  readonly sigma: number;
  readonly dirCoeff: number;
}

/** σ(η) = η √((1-ᾱ_s)/(1-ᾱ_t)) √(1 - ᾱ_t/ᾱ_s): DDIM's Eq. 16 (k-diffusion's get_ancestral_step). */
export function sigmaEta(abarT: number, abarS: number, eta: number): number {
  return eta * Math.sqrt((1 - abarS) / (1 - abarT)) * Math.sqrt(1 - abarT / abarS);
}

export function stepCoefficients(t: number, s: number, eta: number): StepCoefficients {
  const abarT = abarAt(t);
  const abarS = abarAt(s);
  const sigma = sigmaEta(abarT, abarS, eta);
  // max(0, ·) only absorbs rounding: 1 - ᾱ_s - σ² is exactly 0 on the step into the clean level.
  const dirCoeff = Math.sqrt(Math.max(0, 1 - abarS - sigma * sigma));
  return { t, s, aT: Math.sqrt(abarT), cT: Math.sqrt(1 - abarT), aS: Math.sqrt(abarS), sigma, dirCoeff };
}

/**
 * x_s = a_s x̂0 + √(1 - ᾱ_s - σ²) e + σ w, into out (which may be x). Without w (or with σ = 0) the noise term is
 * left out, which is the ODE step; Cycle-SDE passes the w it recovered from the recorded latents. The per-value
 * loops are kernels (kernels.wat): x̂0 = (x - c_t e) / a_t, then out = a_s x̂0 + dirCoeff e (+ σ w).
 */
export function etaStep(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  c: StepCoefficients,
  w?: Float32Array,
): void {
  const { aT, cT, aS, sigma, dirCoeff } = c;
  if (w === undefined || sigma === 0) {
    runKernel(out, [x, e], (at, n) => kernels.ddimStep(at(0), at(1), at(2), n, aT, cT, aS, dirCoeff));
  } else {
    runKernel(out, [x, e, w], (at, n) => kernels.etaStep(at(0), at(1), at(2), at(3), n, aT, cT, aS, dirCoeff, sigma));
  }
}
