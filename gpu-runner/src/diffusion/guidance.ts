/** @module guidance: classifier-free guidance, e = e_u + g (e_c - e_u), and SDE-Drag's linear guidance ramp. */
import { kernels, runKernel } from "./kernels/kernels.js";

/**
 * e = e_u + g (e_c - e_u), into out: e_u and e_c are out.length values at offsets `uncond` and `cond` of `eps` (a
 * batch's output, read in place). Each value in float64, rounded to float32: a kernel (kernels.wat).
 */
export function combineGuidance(
  out: Float32Array,
  eps: Float32Array,
  uncond: number,
  cond: number,
  guidance: number,
): void {
  const n = out.length;
  if (Math.max(uncond, cond) + n > eps.length || Math.min(uncond, cond) < 0) {
    throw new RangeError(`${n} values at ${uncond} and ${cond} do not fit in ${eps.length}`);
  }
  const inputs = [eps.subarray(uncond, uncond + n), eps.subarray(cond, cond + n)];
  runKernel(out, inputs, (at, size) => kernels.guidance(at(0), at(1), at(2), size, guidance));
}

/**
 * combineGuidance on half floats, without converting them first: e_u and e_c are the half bits at offsets `uncond`
 * and `cond` of `halves`, and `halfValues` holds every half's value (float16.ts's table). The same bytes.
 */
export function combineGuidanceHalves(
  out: Float32Array,
  halves: Uint16Array,
  uncond: number,
  cond: number,
  halfValues: Float32Array,
  guidance: number,
): void {
  for (let i = 0; i < out.length; i++) {
    const eUncond = halfValues[halves[uncond + i]!]!;
    out[i] = eUncond + guidance * (halfValues[halves[cond + i]!]! - eUncond);
  }
}

/**
 * The guidance of step k of n (k = 0 at the start level t0): linear from `guidance` at t0 down to 1 at the lowest
 * level (ALGORITHMS 5.3; the reference code's cfg_scale schedule). One step gets the full `guidance`.
 */
export function rampedGuidance(guidance: number, k: number, n: number): number {
  if (n === 1) return guidance;
  return 1 + ((guidance - 1) * (n - 1 - k)) / (n - 1);
}
