/** @module run-task-once: one edit of one latent through runImg2Img, runInpaint or runDrag with the exact predictor. */

import { latents, type NoisePredictor, runDrag, runImg2Img, runInpaint } from "@stochedit/gpu-runner/sampling";
import type { Sampler } from "@stochedit/shared";
import type { PatternDataConfig, TaskEditConfig } from "./paper-config.js";
import { rectMask } from "./task-inputs.js";

export interface TaskSetting {
  readonly t0: number;
  readonly steps: number;
  readonly sampler: Sampler;
}

/**
 * Runs the task on `latent` ([1, 4, h, w]) and returns the edited latent. The prompt is empty and guidance is 1: the
 * exact predictor has no text condition. The job seed fixes every draw of the task.
 */
export async function runTaskOnce(
  edit: TaskEditConfig,
  latent: Float32Array,
  data: PatternDataConfig,
  setting: TaskSetting,
  runtime: { readonly predictor: NoisePredictor; readonly seed: number },
): Promise<Float32Array> {
  const common = {
    latent: latents([1, 4, data.height, data.width], latent),
    prompt: "",
    sampler: setting.sampler,
    steps: setting.steps,
    t0: setting.t0,
    guidance: 1,
  };
  switch (edit.task) {
    case "img2img":
      return (await runImg2Img(common, runtime)).data;
    case "inpaint":
      return (await runInpaint({ ...common, mask: rectMask(edit.fill, data) }, runtime)).data;
    case "drag": {
      const mask = edit.editable && rectMask(edit.editable, data);
      return (await runDrag({ ...common, points: edit.points, ...(mask && { mask }) }, runtime)).data;
    }
  }
}
