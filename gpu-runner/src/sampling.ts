/**
 * @module @stochedit/gpu-runner/sampling: the runner's pure sampler math for code outside the runner (the paper
 * reproduction): schedule, step grids, eta steps, seeded noise, the sampler loops, the tasks on any NoisePredictor,
 * and the exact (analytic) predictors. No model runtime: importing it loads neither onnxruntime nor sharp.
 */
export { GaussianMixture, type MixtureComponentSpec } from "./analytic/gaussian-mixture.js";
export { GaussianMixtureNoisePredictor } from "./analytic/gaussian-mixture-noise-predictor.js";
export { type GaussianData, GaussianNoisePredictor } from "./analytic/gaussian-noise-predictor.js";
export { type StepCoefficients, stepCoefficients } from "./diffusion/eta-step.js";
export { GaussianRng } from "./diffusion/gaussian-rng.js";
export { GuidedNoise } from "./diffusion/guided-noise.js";
export { type Latents, latents, type Shape4 } from "./diffusion/latents.js";
export type { NoisePredictor } from "./diffusion/noise-predictor.js";
export { invertDdim, recordCycleForward, sampleCycleSde, sampleEta, samplerEta } from "./diffusion/samplers.js";
export { abarAt } from "./diffusion/schedule.js";
export { gridFromLevels, type StepGrid, stepCount, stepGrid } from "./diffusion/step-grid.js";
export { runDrag } from "./tasks/drag.js";
export { type CellBlock, copyPasteDefaults, dragBlocks } from "./tasks/drag-copy-paste.js";
export { runImg2Img } from "./tasks/img2img.js";
export { runInpaint } from "./tasks/inpaint.js";
export type { LatentMask } from "./tasks/task.js";
