/** @module edit-job: what one edit runs on (request settings, image and mask bytes, seed) and what it returns. */
import type { DragRequest, Img2ImgRequest, InpaintRequest, OutputFormat, Size } from "@stochedit/shared";
import type { GaussianSource } from "../diffusion/gaussian-rng.js";
import type { StepProgress } from "../tasks/task.js";

/**
 * What the edge alone acts on: the upload references (the bytes come with the job), the price cap, retention, the
 * preset (which parsing has already turned into steps and t0); and the preview count, which comes with the hook that
 * takes the previews (EditHooks.previews).
 */
type EdgeFields = "image" | "mask" | "max_price" | "retention_seconds" | "preset" | "previews";

/** A parsed edit request without the fields only the edge acts on. */
export type EditSettings =
  | Omit<DragRequest, EdgeFields>
  | Omit<InpaintRequest, EdgeFields>
  | Omit<Img2ImgRequest, EdgeFields>;

export interface EditJob {
  readonly settings: EditSettings;
  readonly image: Uint8Array;
  /** Drag: optional (255 = editable). Inpaint: required (255 = fill). Img2img: none. */
  readonly mask?: Uint8Array;
  /** The seed of the job's one generator (the request's, or one the caller drew and records). */
  readonly seed: number;
}

/** One preview as the runner sends it: a small JPEG of the clean-image estimate (see TaskRuntime.previews). */
export interface PreviewImage {
  readonly index: number;
  readonly step: number;
  readonly total: number;
  readonly width: number;
  readonly height: number;
  readonly jpeg: Uint8Array;
}

export interface EditHooks {
  /** After every model step; `total` counts every step of every drag operation. */
  readonly onProgress?: (progress: StepProgress) => void;
  /** Checked before each stage and between steps: once aborted the edit throws JobCanceled. */
  readonly signal?: AbortSignal;
  /** `count` previewed steps (a drag adds its copy-pasted start), each handed to `onPreview` once encoded. */
  readonly previews?: { readonly count: number; readonly onPreview: (preview: PreviewImage) => void };
  /**
   * The job seed's draws, started by the caller before it had the inputs (a runner: before the download), which
   * gives the noise thread a head start; the caller closes them. By default runEdit starts its own.
   */
  readonly gaussians?: GaussianSource;
}

export interface EditResult {
  readonly output: Uint8Array;
  readonly format: OutputFormat;
  /** The uploaded image's size (after EXIF orientation), which the output keeps. */
  readonly size: Size;
  readonly seed: number;
  /** Seconds spent decoding and encoding previews, part of the edit's time. */
  readonly previewSeconds: number;
}
