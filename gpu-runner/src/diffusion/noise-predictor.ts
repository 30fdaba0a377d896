/** @module noise-predictor: the seam between the sampler math and the models (exact, generated ONNX, or SD 1.5). */
import type { Latents } from "./latents.js";

declare const conditionBrand: unique symbol;
/** An encoded prompt, opaque to the samplers (a CLIP embedding for ONNX models). */
export type Condition = { readonly [conditionBrand]: true };

/** One model call: item i is latent i at train-step timestep[i] under condition[i]. */
export interface NoiseBatch {
  readonly latents: Latents;
  /** Train-step index (0..999) per item. */
  readonly timesteps: readonly number[];
  readonly conditions: readonly Condition[];
  /**
   * A 9-channel inpainting UNet's extra input per item: [mask (1), masked-image latent (4)], NCHW. The same array,
   * unchanged, for every call of a task, so that a predictor may convert it once.
   */
  readonly inpaintChannels?: Latents;
  /** The caller's buffer of the latents' size that predictNoise may write eps into and return, instead of a new one. */
  readonly eps?: Float32Array;
}

export interface NoisePredictor {
  /** 4 for a plain SD UNet; 9 for an inpainting UNet (latent + mask + masked-image latent). */
  readonly unetInputChannels: 4 | 9;
  /** Encodes a prompt once per job; throws a JobFailure("prompt_too_long") past the model's context. */
  encodePrompt(prompt: string): Promise<Condition>;
  /** eps for every item of the batch, same layout as batch.latents (in batch.eps, or a new array). One call = one model run. */
  predictNoise(batch: NoiseBatch): Promise<Float32Array>;
  /**
   * Optional, for a predictor whose outputs are cheaper to combine where they lie than to hand over (the UNet's
   * shared half floats): predictNoise on a batch of (unconditional, conditional) pairs, items 2p and 2p + 1 at one
   * timestep, with classifier-free guidance folded in: out[p] = combineGuidance of the pair's eps, the same bytes.
   */
  predictGuidedNoise?(batch: NoiseBatch, guidance: number, out: readonly Float32Array[]): Promise<void>;
}
