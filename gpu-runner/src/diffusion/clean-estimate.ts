/** @module clean-estimate: x̂0, the clean latent that a step's predicted noise points to (what Eq. 6 steps toward). */
import type { StepCoefficients } from "./eta-step.js";

// Legend (ALGORITHMS 2): aT = √ᾱ_t, cT = √(1-ᾱ_t); e = ε_θ(x_t, t), with guidance folded in; x0Hat = x̂0.

/**
 * x̂0 = (x_t - √(1-ᾱ_t) e) / √ᾱ_t, into out. For the exact ε of the data (an analytic predictor) this is E[x_0 | x_t],
 * Tweedie's estimate; on a model it is the picture the sampler is heading for, which previews show.
 */
export function cleanEstimate(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  c: Pick<StepCoefficients, "aT" | "cT">,
): void {
  const { aT, cT } = c;
  for (let i = 0; i < out.length; i++) out[i] = (x[i]! - cT * e[i]!) / aT;
}
