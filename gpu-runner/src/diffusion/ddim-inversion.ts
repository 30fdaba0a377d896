/** @module ddim-inversion: one DDIM inversion step, the ODE run upward from level s to level t (ODE-Drag's stage 1). */
import { kernels, runKernel } from "./kernels/kernels.js";
import { abarAt } from "./schedule.js";

// Legend: abarS, abarT = ᾱ_s, ᾱ_t with s < t; x0Hat = x̂0(x_s, e); e = ε_θ(x_s, t), predicted at the target
// level as in diffusers' DDIMInverseScheduler (the clean level -1 is no timestep the model knows).

/** x_t = a_t x̂0 + c_t e with x̂0 = (x_s - c_s e) / a_s, into out (which may be x): a kernel (kernels.wat). */
export function ddimInversionStep(out: Float32Array, x: Float32Array, e: Float32Array, s: number, t: number): void {
  const aS = Math.sqrt(abarAt(s));
  const cS = Math.sqrt(1 - abarAt(s));
  const aT = Math.sqrt(abarAt(t));
  const cT = Math.sqrt(1 - abarAt(t));
  runKernel(out, [x, e], (at, n) => kernels.ddimStep(at(0), at(1), at(2), n, aS, cS, aT, cT));
}
