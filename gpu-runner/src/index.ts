/** @module @stochedit/gpu-runner: the sampler core, tasks and model runtime used by the runner service and CLI. */
export { GaussianNoisePredictor } from "./analytic/gaussian-noise-predictor.js";
export { type Latents, latents, type Shape4 } from "./diffusion/latents.js";
export type { Condition, NoiseBatch, NoisePredictor } from "./diffusion/noise-predictor.js";
export { JobCanceled, JobFailure } from "./job-failure.js";
export { runDrag } from "./tasks/drag.js";
export { runImg2Img } from "./tasks/img2img.js";
export { runInpaint } from "./tasks/inpaint.js";
export type * from "./tasks/task.js";
