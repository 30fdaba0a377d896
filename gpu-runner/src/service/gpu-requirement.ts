/**
 * @module gpu-requirement: STOCHEDIT_REQUIRE_GPU: a runner that asked for CUDA and got the CPU stops at model load,
 * instead of serving a GPU pod's jobs about 100x slower.
 */
import type { ExecutionProvider } from "../model/tensor-payload.js";

export class GpuUnavailable extends Error {
  override readonly name = "GpuUnavailable";
}

/** The runner's exit code for it (1 is any other start failure, 2 a bad configuration). */
export const gpuUnavailableExitCode = 3;

/** Throws GpuUnavailable when the GPU is required and the loaded model's sessions run on `provider` instead. */
export function checkGpuRequirement(requireGpu: boolean, provider: ExecutionProvider): void {
  if (!requireGpu || provider === "cuda") return;
  throw new GpuUnavailable(
    `STOCHEDIT_REQUIRE_GPU is set, but the CUDA execution provider could not load (the model loader logged why) ` +
      `and the model would run on the ${provider}, about 100x slower. Fix the node's GPU driver or CUDA libraries, ` +
      `or unset STOCHEDIT_REQUIRE_GPU to allow the CPU fallback.`,
  );
}
