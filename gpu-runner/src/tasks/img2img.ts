/** @module img2img: SDEdit (η = 1) and its ODE counterpart (η = 0): noise to t0, then denoise (ALGORITHMS 5.1). */
import { forwardNoise } from "../diffusion/forward-noise.js";
import { type Latents, latents } from "../diffusion/latents.js";
import { sampleEta, samplerEta } from "../diffusion/samplers.js";
import { cleanLevel } from "../diffusion/schedule.js";
import type { Img2ImgInput, TaskRuntime } from "./task.js";
import { setUpTask } from "./task-setup.js";
import { checkLatent, checkPlainUnet } from "./validate.js";

/** Draws: the noise that takes the input to t0, then one w per SDE step. Model calls: one per step. */
export async function runImg2Img(input: Img2ImgInput, runtime: TaskRuntime): Promise<Latents> {
  checkLatent(input.latent);
  checkPlainUnet(runtime.predictor, "img2img");
  const { grid, model, rng, denoising } = await setUpTask(input, runtime, { branches: 1, runs: 1, inverts: false });

  const x = rng.fill(new Float32Array(input.latent.data.length));
  forwardNoise(x, input.latent.data, cleanLevel, grid.levels[0]!, x);
  await sampleEta(model, x, grid, {
    ...denoising,
    eta: samplerEta[input.sampler],
    guidance: () => input.guidance,
    rng,
  });
  return latents(input.latent.shape, x);
}
