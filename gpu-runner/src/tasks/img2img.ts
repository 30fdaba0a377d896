/** @module img2img: SDEdit (η = 1) and its ODE counterpart (η = 0): noise to t0, then denoise (ALGORITHMS 5.1). */
import { forwardNoise } from "../diffusion/forward-noise.js";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { GuidedNoise } from "../diffusion/guided-noise.js";
import { type Latents, latents } from "../diffusion/latents.js";
import { cleanLevel } from "../diffusion/schedule.js";
import { stepCount, stepGrid } from "../diffusion/step-grid.js";
import { denoise, samplerEta } from "./denoise.js";
import { previewTap } from "./preview-tap.js";
import { encodeConditions } from "./prompt-conditions.js";
import { StepCounter } from "./step-counter.js";
import type { Img2ImgInput, TaskRuntime } from "./task.js";
import { checkLatent, checkPlainUnet, checkSeed, checkSettings } from "./validate.js";

/** Draws: the noise that takes the input to t0, then one w per SDE step. Model calls: one per step. */
export async function runImg2Img(input: Img2ImgInput, runtime: TaskRuntime): Promise<Latents> {
  checkLatent(input.latent);
  checkSettings(input, input.strength, "strength");
  checkSeed(runtime.seed);
  checkPlainUnet(runtime.predictor, "img2img");

  const grid = stepGrid(input.steps, input.strength);
  const conditions = await encodeConditions(runtime.predictor, input.prompt, input.guidance);
  const noise = new GuidedNoise({
    predictor: runtime.predictor,
    conditions,
    itemShape: input.latent.shape,
    branches: 1,
  });
  const rng = new GaussianRng(runtime.seed);
  const previews = previewTap(runtime, input.latent.shape, stepCount(grid));

  const x = rng.fill(new Float32Array(input.latent.data.length));
  forwardNoise(x, input.latent.data, cleanLevel, grid.levels[0]!, x);
  await denoise({
    x,
    grid,
    eta: samplerEta[input.sampler],
    noise,
    guidance: () => input.guidance,
    rng,
    counter: new StepCounter(runtime, stepCount(grid)),
    ...(previews && { previews }),
  });
  return latents(input.latent.shape, x);
}
