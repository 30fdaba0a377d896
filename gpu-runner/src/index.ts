/** @module @stochedit/gpu-runner: the sampler core, tasks and model runtime used by the runner service and CLI. */
export type { Latents, Shape4 } from "./diffusion/latents.js";
export type { Condition, NoiseBatch, NoisePredictor } from "./diffusion/noise-predictor.js";
export { JobCanceled, JobFailure } from "./job-failure.js";
export type * from "./tasks/task.js";
