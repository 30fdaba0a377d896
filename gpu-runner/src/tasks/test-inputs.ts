/** @module test-inputs: small task inputs for the task tests (a 32x32 latent, the reference drag, masks). */
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { type Latents, latents } from "../diffusion/latents.js";
import type { NoisePredictor } from "../diffusion/noise-predictor.js";
import type { DragInput, Img2ImgInput, InpaintInput, TaskRuntime } from "./task.js";

export const latentSide = 32;

/** A [1, 4, 32, 32] latent with unit-variance values, like a scaled SD latent. */
export function testLatent(seed = 99): Latents {
  return latents([1, 4, latentSide, latentSide], new GaussianRng(seed).fill(new Float32Array(4 * latentSide ** 2)));
}

/** A latent-resolution mask that is 1 (editable / fill) inside the rectangle and 0 elsewhere. */
export function rectangleMask(x0: number, y0: number, x1: number, y1: number): Float32Array {
  const mask = new Float32Array(latentSide ** 2);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask[y * latentSide + x] = 1;
  return mask;
}

/** The reference drag of sde-ode-vectors.json, [18, 27] -> [18, 18]: 5 operations, 120 steps each at the defaults. */
export function referenceDrag(overrides: Partial<DragInput> = {}): DragInput {
  return {
    latent: testLatent(),
    prompt: "a photo of a tree",
    sampler: "sde",
    steps: 200,
    t0: 0.6,
    guidance: 3,
    points: [{ from: [18, 27], to: [18, 18] }],
    ...overrides,
  };
}

export function inpaintInput(overrides: Partial<InpaintInput> = {}): InpaintInput {
  return {
    latent: testLatent(),
    prompt: "a red door",
    sampler: "sde",
    steps: 50,
    t0: 1,
    guidance: 7.5,
    mask: rectangleMask(8, 8, 23, 23),
    ...overrides,
  };
}

export function img2imgInput(overrides: Partial<Img2ImgInput> = {}): Img2ImgInput {
  return {
    latent: testLatent(),
    prompt: "an oil painting",
    sampler: "sde",
    steps: 50,
    t0: 0.6,
    guidance: 7.5,
    ...overrides,
  };
}

export function runtimeWith(predictor: NoisePredictor, overrides: Partial<TaskRuntime> = {}): TaskRuntime {
  return { predictor, seed: 1234, ...overrides };
}
