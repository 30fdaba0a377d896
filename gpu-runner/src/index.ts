/** @module @stochedit/gpu-runner: the sampler core, tasks and model runtime used by the runner service and CLI. */
export { GaussianMixture, type MixtureComponentSpec } from "./analytic/gaussian-mixture.js";
export { GaussianMixtureNoisePredictor } from "./analytic/gaussian-mixture-noise-predictor.js";
export { GaussianNoisePredictor } from "./analytic/gaussian-noise-predictor.js";
export { type Latents, latents, type Shape4 } from "./diffusion/latents.js";
export type { Condition, NoiseBatch, NoisePredictor } from "./diffusion/noise-predictor.js";
export { type EditArguments, parseEditArguments, UsageError } from "./edit/edit-arguments.js";
export type { EditHooks, EditJob, EditResult, EditSettings } from "./edit/edit-job.js";
export { runEdit } from "./edit/run-edit.js";
export { JobCanceled, JobFailure } from "./job-failure.js";
export { defaultModelDir, tinyModelsRoot } from "./model/default-model-dir.js";
export { closeSdModels, loadSdModel, type SdModel, type SdModelOptions } from "./model/sd-model.js";
export { defaultTinyModelName, tinyModelSpecs } from "./model/tiny/tiny-model-spec.js";
export { ensureTinyModels } from "./model/tiny/write-tiny-model.js";
export { runDrag } from "./tasks/drag.js";
export { runImg2Img } from "./tasks/img2img.js";
export { runInpaint } from "./tasks/inpaint.js";
export type * from "./tasks/task.js";
