/** @module task: what every editing task takes and gives (implemented in img2img.ts, inpaint.ts, drag.ts). */
import type { LatentPair, Sampler } from "@stochedit/shared";
import type { GaussianSource } from "../diffusion/gaussian-rng.js";
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
  /**
   * The seed's stream, drawn elsewhere (runEdit's GaussianStream: ahead, in a thread of its own); the task makes a
   * GaussianRng of the seed without it. Either way the same draws.
   */
  readonly gaussians?: GaussianSource;
  /** Called after every model call; `total` counts the model calls of every operation. */
  readonly onStep?: (progress: StepProgress) => void;
  /** Checked before every model call: once aborted the task throws the signal's reason (runEdit: JobCanceled). */
  readonly signal?: AbortSignal;
  /** Clean-image estimates at evenly spaced steps; without it nothing is computed for them. */
  readonly previews?: TaskPreviews;
}

/** What every task takes; the API's schemas have checked the limits of each. */
export interface TaskInput {
  /** The clean input latent, shape [1, 4, h, w], already scaled by the VAE factor. */
  readonly latent: Latents;
  readonly prompt: string;
  /** sde: eta = 1; ode: eta = 0. */
  readonly sampler: Sampler;
  /** Size of the time grid over the whole [0, T] range; a run from t0 takes stepsFromT0(steps, t0). */
  readonly steps: number;
  /** The start fraction in (0, 1]: how far up the grid the run starts (the API's `strength` for img2img). */
  readonly t0: number;
  readonly guidance: number;
}

/** Masks are at latent resolution (height x width of the latent), values in [0, 1], 1 = editable / fill. */
export type LatentMask = Float32Array;

export type Img2ImgInput = TaskInput;

export interface InpaintInput extends TaskInput {
  /** 1 = fill. */
  readonly mask: LatentMask;
  /**
   * For a 9-channel inpainting UNet: the VAE latent (x 0.18215) of the image with the fill region blanked, [1, 4, h, w].
   * Without it, `latent` with the fill region zeroed stands in.
   */
  readonly maskedImageLatent?: Latents;
}

export interface DragInput extends TaskInput {
  /** Source/target points in latent cells ([x, y]). */
  readonly points: readonly LatentPair[];
  /** 1 = editable; none = everything editable. */
  readonly mask?: LatentMask;
}
