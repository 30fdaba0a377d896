/** @module task: what every editing task takes and gives (implemented in img2img.ts, inpaint.ts, drag.ts). */
import type { LatentPair, Sampler } from "@stochedit/shared";
import type { Latents } from "../diffusion/latents.js";
import type { NoisePredictor } from "../diffusion/noise-predictor.js";

export interface StepProgress {
  step: number;
  total: number;
}

/** A clean-image estimate a task hands out for a preview. */
export interface CleanEstimate {
  /** 0, 1, ... in the order they are handed out. */
  readonly index: number;
  /** The denoising step (1-based) whose x̂0 this is; 0 for a drag's copy-pasted start. */
  readonly step: number;
  /** Denoising steps of the whole task: every drag operation's, without ODE-Drag's inversion. */
  readonly total: number;
  /** Valid until onEstimate's promise settles: the task reuses the buffer. */
  readonly latent: Latents;
}

export interface TaskPreviews {
  /** How many denoising steps to preview, evenly spaced (shared previewSteps); a drag adds its copy-pasted start. */
  readonly count: number;
  /** Awaited before the task moves on. */
  readonly onEstimate: (estimate: CleanEstimate) => Promise<void>;
}

/** What a task runs with: the model seam, the job's seed (one generator per job), progress and cancellation. */
export interface TaskRuntime {
  readonly predictor: NoisePredictor;
  readonly seed: number;
  /** Called after every model step; `total` counts every step of every operation. */
  readonly onStep?: (progress: StepProgress) => void;
  /** Checked between steps: when aborted the task throws JobCanceled. */
  readonly signal?: AbortSignal;
  /** Clean-image estimates at evenly spaced steps; without it nothing is computed for them. */
  readonly previews?: TaskPreviews;
}

export interface SamplerSettings {
  readonly prompt: string;
  /** sde: eta = 1; ode: eta = 0. */
  readonly sampler: Sampler;
  /** Size of the time grid over the whole [0, T] range; a run from t0 takes stepsFromT0(steps, t0). */
  readonly steps: number;
  readonly guidance: number;
}

/** Masks are at latent resolution (height x width of the latent), values in [0, 1], 1 = editable / fill. */
export type LatentMask = Float32Array;

export interface Img2ImgInput extends SamplerSettings {
  /** The clean input latent, shape [1, 4, h, w], already scaled by the VAE factor. */
  readonly latent: Latents;
  readonly strength: number;
}

export interface InpaintInput extends SamplerSettings {
  readonly latent: Latents;
  /** 1 = fill. */
  readonly mask: LatentMask;
  readonly t0: number;
  /**
   * For a 9-channel inpainting UNet: the VAE latent (x 0.18215) of the image with the fill region blanked, [1, 4, h, w].
   * Without it, `latent` with the fill region zeroed stands in.
   */
  readonly maskedImageLatent?: Latents;
}

export interface DragInput extends SamplerSettings {
  readonly latent: Latents;
  /** Source/target points in latent cells ([x, y]). */
  readonly points: readonly LatentPair[];
  /** 1 = editable; none = everything editable. */
  readonly mask?: LatentMask;
  readonly t0: number;
}
