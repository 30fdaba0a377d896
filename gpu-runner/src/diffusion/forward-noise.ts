/** @module forward-noise: q(x_t | x_s), the forward process up to a noisier level (ALGORITHMS 1). */
import { kernels, runKernel } from "./kernels/kernels.js";
import { abarAt } from "./schedule.js";

// Legend: abarS, abarT = ᾱ_s, ᾱ_t with s < t (s = -1 is the clean latent); z ~ N(0, I).

/**
 * x_t = √(ᾱ_t/ᾱ_s) x_s + √(1 - ᾱ_t/ᾱ_s) z, into out (which may be xS); from s = -1, x_t = a_t x_0 + c_t z. The
 * per-value loop is a kernel (kernels.wat).
 */
export function forwardNoise(out: Float32Array, xS: Float32Array, s: number, t: number, z: Float32Array): void {
  const ratio = abarAt(t) / abarAt(s);
  const keep = Math.sqrt(ratio);
  const add = Math.sqrt(1 - ratio);
  runKernel(out, [xS, z], (at, n) => kernels.forwardNoise(at(0), at(1), at(2), n, keep, add));
}
