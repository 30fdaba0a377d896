/** @module edit-job: what one edit runs on (request settings, image and mask bytes, seed) and what it returns. */
import type { DragRequest, Img2ImgRequest, InpaintRequest, OutputFormat, Size } from "@stochedit/shared";
import type { StepProgress } from "../tasks/task.js";

/**
 * What the edge alone acts on: the upload references (the bytes come with the job), the price cap, retention; and the
 * preset, which parsing has already turned into steps and t0.
 */
type EdgeFields = "image" | "mask" | "max_price" | "retention_seconds" | "preset";

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

export interface EditHooks {
  /** After every model step; `total` counts every step of every drag operation. */
  readonly onProgress?: (progress: StepProgress) => void;
  /** Checked before each stage and between steps: once aborted the edit throws JobCanceled. */
  readonly signal?: AbortSignal;
}

export interface EditResult {
  readonly output: Uint8Array;
  readonly format: OutputFormat;
  /** The uploaded image's size (after EXIF orientation), which the output keeps. */
  readonly size: Size;
  readonly seed: number;
}
