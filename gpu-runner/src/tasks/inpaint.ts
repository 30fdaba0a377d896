/** @module inpaint: SDE (η = 1) and ODE (η = 0) inpainting that puts the kept region back each step (ALGORITHMS 5.2). */
import { forwardNoise } from "../diffusion/forward-noise.js";
import { type Latents, latents } from "../diffusion/latents.js";
import { blendMask } from "../diffusion/mask-blend.js";
import { sampleEta, samplerEta } from "../diffusion/samplers.js";
import { cleanLevel } from "../diffusion/schedule.js";
import type { InpaintInput, TaskRuntime } from "./task.js";
import { setUpTask } from "./task-setup.js";
import { checkLatent, checkMask } from "./validate.js";

/**
 * Starts from pure noise at t0 = 1 (else from the input noised to t0) and denoises; after every step the kept region
 * (mask 0) is set to the input noised to the new level with one fixed draw z, and the last step puts back the input
 * itself. Draws: z, then one w per SDE step. Model calls: one per step; a 9-channel inpainting UNet also gets
 * [mask, masked-image latent] with every item.
 */
export async function runInpaint(input: InpaintInput, runtime: TaskRuntime): Promise<Latents> {
  const size = checkLatent(input.latent);
  checkMask(input.mask, size);
  if (input.maskedImageLatent !== undefined) checkLatent(input.maskedImageLatent);
  const { grid, model, rng, denoising } = await setUpTask(input, runtime, {
    branches: 1,
    runs: 1,
    inverts: false,
    ...(runtime.predictor.unetInputChannels === 9 && { inpaintChannels: inpaintChannels(input) }),
  });

  const x0 = input.latent.data;
  const z = rng.fill(new Float32Array(x0.length));
  const x = new Float32Array(x0.length);
  if (input.t0 === 1) x.set(z);
  else forwardNoise(x, x0, cleanLevel, grid.levels[0]!, z);
  const kept = new Float32Array(x0.length);
  await sampleEta(model, x, grid, {
    ...denoising,
    eta: samplerEta[input.sampler],
    guidance: () => input.guidance,
    rng,
    afterStep: (k) => {
      forwardNoise(kept, x0, cleanLevel, grid.levels[k + 1]!, z);
      blendMask(x, kept, input.mask);
    },
  });
  return latents(input.latent.shape, x);
}

/**
 * The extra input of a 9-channel inpainting UNet: the mask, then the VAE latent of the image with the fill region
 * blanked. Without that latent from the caller, the input latent with the fill region zeroed stands in for it.
 */
function inpaintChannels(input: InpaintInput): Latents {
  const [, channels, height, width] = input.latent.shape;
  const cells = height * width;
  const data = new Float32Array((1 + channels) * cells);
  data.set(input.mask);
  const masked = data.subarray(cells);
  if (input.maskedImageLatent !== undefined) masked.set(input.maskedImageLatent.data);
  else for (let i = 0; i < masked.length; i++) masked[i] = input.latent.data[i]! * (1 - input.mask[i % cells]!);
  return latents([1, 1 + channels, height, width], data);
}
