/** @module edit-form: the form's values -> the body of POST /v1/edits (or /v1/quote) for one sampler. */
import type { DragPair, EditRequestInput, Sampler, Task, UploadId } from "@stochedit/shared";

/** "both" runs the same edit twice, once per sampler, to compare them. */
export type SamplerChoice = Sampler | "both";

export function samplersOf(choice: SamplerChoice): Sampler[] {
  return choice === "both" ? ["sde", "ode"] : [choice];
}

export interface EditForm {
  readonly task: Task;
  readonly image: UploadId;
  readonly prompt: string;
  /** Undefined: the API draws one (and reports it on the edit). */
  readonly seed: number | undefined;
  readonly steps: number;
  /** t0 for drag and inpaint, strength for img2img. */
  readonly t0: number;
  readonly pairs: readonly DragPair[];
  /** The uploaded mask: optional for drag, required for inpaint, unused by img2img. */
  readonly mask: UploadId | undefined;
  /** How many previews the edit sends while it runs (0: none, left out of the body). */
  readonly previews: number;
}

export function editRequest(form: EditForm, sampler: Sampler): EditRequestInput {
  const common = {
    image: form.image,
    prompt: form.prompt,
    sampler,
    steps: form.steps,
    ...(form.seed !== undefined && { seed: form.seed }),
    ...(form.previews !== 0 && { previews: form.previews }),
  };
  switch (form.task) {
    case "drag":
      return { task: "drag", ...common, points: [...form.pairs], t0: form.t0, ...(form.mask && { mask: form.mask }) };
    case "inpaint":
      if (!form.mask) throw new Error("an inpaint edit needs its mask uploaded first");
      return { task: "inpaint", ...common, mask: form.mask, t0: form.t0 };
    case "img2img":
      return { task: "img2img", ...common, strength: form.t0 };
  }
}

/**
 * The body to price before anything is uploaded but the image. The price does not depend on the mask's pixels, only
 * on the image's size, which a mask must share; so an inpaint quote names the image itself as its mask, and the
 * painted mask is uploaded once, when the edit runs.
 */
export function quoteRequest(form: EditForm, sampler: Sampler): EditRequestInput {
  return editRequest({ ...form, mask: form.task === "inpaint" ? form.image : undefined }, sampler);
}

export type ImageState = "none" | "uploading" | "failed" | "uploaded";

const imageHints: Record<Exclude<ImageState, "uploaded">, string> = {
  none: "Choose an image first.",
  uploading: "Uploading the image…",
  failed: "The image is not uploaded (see the error).",
};

/** What still keeps the edit from running, in words (undefined: nothing). */
export function missingInput(state: {
  task: Task;
  image: ImageState;
  pairCount: number;
  maskPainted: boolean;
}): string | undefined {
  if (state.image !== "uploaded") return imageHints[state.image];
  if (state.task === "drag" && state.pairCount === 0) {
    return "Click a source point on the image, then its target (a pair at least).";
  }
  if (state.task === "inpaint" && !state.maskPainted) return "Paint the area to fill with the brush.";
  return undefined;
}
