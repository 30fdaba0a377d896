/** @module previews: which steps of an edit are previewed, how many VAE decodes that takes, and a preview's shape. */
import { z } from "zod";
import type { Task } from "./edit-request.js";
import { previewLimits } from "./limits.js";

/**
 * The 1-based denoising steps whose clean-image estimate is previewed: `count` of the `denoisingSteps`, evenly spaced,
 * ceil(i·D/N) for i = 1..N, so the last is the final step; every step when fewer steps than previews run.
 */
export function previewSteps(count: number, denoisingSteps: number): number[] {
  const n = Math.min(count, denoisingSteps);
  return Array.from({ length: n }, (_, i) => Math.ceil(((i + 1) * denoisingSteps) / n));
}

/** VAE decodes the previews take: one per previewed step, and a drag's copy-pasted start (none without previews). */
export function previewDecodes(count: number, task: Task, denoisingSteps: number): number {
  if (count === 0) return 0;
  return previewSteps(count, denoisingSteps).length + (task === "drag" ? 1 : 0);
}

/** Characters of the base64 text of a preview at the byte limit. */
export const previewDataMaxChars = 4 * Math.ceil(previewLimits.maxBytes / 3);

/** Bytes that (padded) base64 text decodes to. */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

export const EditPreview = z
  .object({
    index: z.int().min(0).meta({
      description: "0, 1, ... in the order the run made them; 0 again means a new run (a retry) started over",
    }),
    step: z.int().min(0).meta({
      description:
        "The denoising step whose clean-image estimate this is; 0: a drag's copy-pasted start, before the first step",
    }),
    total: z.int().min(1).meta({
      description:
        "Denoising steps of the whole edit, every drag operation (ODE-Drag's progress also counts inversion)",
    }),
    width: z.int().min(1),
    height: z.int().min(1),
    url: z
      .string()
      .startsWith("data:image/jpeg;base64,")
      .meta({ description: `The JPEG inline, as a data URL (at most ${previewLimits.maxBytes / 1024} KiB of JPEG)` }),
  })
  .meta({ id: "EditPreview" });
export type EditPreview = z.infer<typeof EditPreview>;

export const EditPreviewList = z
  .object({ data: z.array(EditPreview).meta({ description: "The latest run's previews, by index" }) })
  .meta({ id: "EditPreviewList" });
export type EditPreviewList = z.infer<typeof EditPreviewList>;
