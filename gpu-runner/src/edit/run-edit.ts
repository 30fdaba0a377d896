/** @module run-edit: one edit end to end: decode -> VAE encode -> task -> VAE decode -> encode the output. */
import { performance } from "node:perf_hooks";
import { latentPoint, pointInside, type Size, startFraction } from "@stochedit/shared";
import type { GaussianSource } from "../diffusion/gaussian-rng.js";
import type { Latents } from "../diffusion/latents.js";
import { type DecodedImage, decodeImage } from "../image/decode-image.js";
import { type DecodedMask, decodeMask } from "../image/decode-mask.js";
import { encodeImage } from "../image/encode-image.js";
import { encodePreview } from "../image/encode-preview.js";
import { JobCanceled, JobFailure } from "../job-failure.js";
import type { SdModel } from "../model/sd-model.js";
import { GaussianStream } from "../noise/gaussian-stream.js";
import { runDrag } from "../tasks/drag.js";
import { runImg2Img } from "../tasks/img2img.js";
import { runInpaint } from "../tasks/inpaint.js";
import type { StepProgress, TaskPreviews, TaskRuntime } from "../tasks/task.js";
import type { EditHooks, EditJob, EditResult, EditSettings } from "./edit-job.js";

/** The decoded inputs of one edit. */
interface EditInputs {
  readonly image: DecodedImage;
  readonly latent: Latents;
  readonly mask: DecodedMask | undefined;
}

/**
 * Runs one edit on a loaded model. The CLI calls it for local files; the runner service calls it per claimed
 * job with a progress callback and the job's AbortSignal. Bad input fails with a JobFailure naming what was
 * wrong (before any model work); cancellation throws JobCanceled.
 */
export async function runEdit(model: SdModel, job: EditJob, hooks: EditHooks = {}): Promise<EditResult> {
  if (hooks.gaussians) return editWith(model, job, hooks, hooks.gaussians);
  // The job's draws start now, in a thread of their own, while the image decodes and the VAE encodes.
  const gaussians = new GaussianStream(job.seed);
  try {
    return await editWith(model, job, hooks, gaussians);
  } finally {
    gaussians.close();
  }
}

async function editWith(
  model: SdModel,
  job: EditJob,
  hooks: EditHooks,
  gaussians: GaussianSource,
): Promise<EditResult> {
  const { settings } = job;
  const throwIfCanceled = () => {
    if (hooks.signal?.aborted) throw new JobCanceled("canceled before the edit finished");
  };
  const image = await decodeImage(job.image);
  if (settings.task === "drag") checkPointsInside(settings.points, image.originalSize);
  if (settings.task === "inpaint" && !job.mask) {
    throw new JobFailure("mask_missing", "inpainting needs a mask (255 = fill)");
  }
  const mask = job.mask && (await decodeMask(job.mask, image.originalSize));
  throwIfCanceled();
  const latent = await model.vae.encode(image.tensor);
  const previews = hooks.previews && previewEncoder(model, image.originalSize, hooks.previews);
  let progress: StepProgress | undefined;
  const runtime: TaskRuntime = {
    predictor: model.predictor,
    seed: job.seed,
    gaussians,
    onStep: (step) => {
      progress = step;
      hooks.onProgress?.(step);
    },
    ...(hooks.signal && { signal: hooks.signal }),
    ...(previews && { previews }),
  };
  const edited = await runTask(model, settings, { image, latent, mask }, runtime).catch((error: unknown) => {
    // The samplers stop with the signal's reason: here the job becomes canceled.
    if (!hooks.signal?.aborted) throw error;
    throw new JobCanceled(
      progress ? `canceled after ${progress.step} of ${progress.total} steps` : "canceled before the first step",
    );
  });
  throwIfCanceled();
  const decoded = await model.vae.decode(edited);
  const output = await encodeImage(decoded, image.originalSize, settings.output_format);
  const previewSeconds = previews?.seconds() ?? 0;
  return { output, format: settings.output_format, size: image.originalSize, seed: job.seed, previewSeconds };
}

/** The task's previews: each estimate decoded by the VAE and encoded as a small JPEG, the time it takes counted. */
function previewEncoder(
  model: SdModel,
  size: Size,
  previews: NonNullable<EditHooks["previews"]>,
): TaskPreviews & { seconds(): number } {
  let milliseconds = 0;
  return {
    count: previews.count,
    async onEstimate({ index, step, total, latent }) {
      const started = performance.now();
      const preview = await encodePreview(await model.vae.decode(latent), size);
      milliseconds += performance.now() - started;
      previews.onPreview({ index, step, total, ...preview });
    },
    seconds: () => milliseconds / 1000,
  };
}

async function runTask(
  model: SdModel,
  settings: EditSettings,
  inputs: EditInputs,
  runtime: TaskRuntime,
): Promise<Latents> {
  const { image, latent, mask } = inputs;
  const common = {
    latent,
    prompt: settings.prompt,
    sampler: settings.sampler,
    steps: settings.steps,
    t0: startFraction(settings),
    guidance: settings.guidance,
  };
  switch (settings.task) {
    case "img2img":
      return runImg2Img(common, runtime);
    case "inpaint": {
      const fill = mask!;
      const maskedImageLatent =
        model.predictor.unetInputChannels === 9 ? await maskedLatent(model, image, fill) : undefined;
      return runInpaint({ ...common, mask: fill.latent, ...(maskedImageLatent && { maskedImageLatent }) }, runtime);
    }
    case "drag": {
      const size = image.originalSize;
      const points = settings.points.map((pair) => ({
        from: latentPoint(pair.from, size),
        to: latentPoint(pair.to, size),
      }));
      return runDrag({ ...common, points, ...(mask && { mask: mask.latent }) }, runtime);
    }
  }
}

/**
 * What an SD inpainting UNet expects beside the mask: the latent of the image with the fill region blanked
 * (pixels whose mask is at least half set become 0, mid-grey), as diffusers' inpainting pipeline makes it.
 */
async function maskedLatent(model: SdModel, image: DecodedImage, mask: DecodedMask): Promise<Latents> {
  const { data, width, height } = image.tensor;
  const pixels = width * height;
  const blanked = data.map((value, i) => (mask.pixels[i % pixels]! >= 0.5 ? 0 : value));
  return model.vae.encode({ data: blanked, width, height });
}

/** Points are pixels of the uploaded image (after EXIF orientation): 0 <= x < width, 0 <= y < height. */
function checkPointsInside(pairs: readonly { from: readonly number[]; to: readonly number[] }[], size: Size): void {
  for (const pair of pairs) {
    for (const point of [pair.from, pair.to]) {
      if (!pointInside(point, size)) {
        const [x = Number.NaN, y = Number.NaN] = point;
        throw new JobFailure(
          "points_outside_image",
          `drag point [${x}, ${y}] lies outside the ${size.width}x${size.height} image: x must be below ${size.width}, y below ${size.height}`,
        );
      }
    }
  }
}
