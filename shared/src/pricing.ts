/** @module pricing: the price of an edit in integer micro-credits, from task, working size and model work. */
import { z } from "zod";
import { inMicroCredits } from "./credits.js";
import { dragOperationCount } from "./drag-split.js";
import type { EditRequest } from "./edit-request.js";
import { startFraction } from "./edit-request.js";
import { latentPoint, type Size, stepsFromT0, workingSize } from "./geometry.js";
import { previewDecodes } from "./previews.js";

export const priceTable = {
  baseMicroCredits: { drag: 20_000, inpaint: 10_000, img2img: 10_000 },
  /** One UNet evaluation of one latent at the reference size. */
  perUnetSampleMicroCredits: 100,
  /**
   * One VAE decode (a preview) is priced as this many UNet latent evaluations at the same size: on an H200, SD 1.5
   * fp16 decoded 512x512 in 21.2 ms, and the fused UNet evaluated one latent in 6.2 ms (a batch-1 call).
   */
  unetSamplesPerDecode: 4,
  referencePixels: 512 * 512,
} as const;

export interface ModelWork {
  /** Drag operations (1 for the other tasks). */
  operations: number;
  /** Sampler steps per operation. */
  stepsPerOperation: number;
  /** Latents per UNet call: 2 with classifier-free guidance, x2 again for SDE-Drag's recorded branch. */
  batch: number;
  /** Total UNet calls. */
  unetCalls: number;
  /** VAE decodes beyond the output's own: the previews (see previews.ts). */
  decoderCalls: number;
}

/**
 * The UNet work an edit takes (ALGORITHMS.md 5). SDE-Drag makes one call per step with the recorded branch in the
 * batch; ODE-Drag makes two calls of half the batch (DDIM inversion, then the way down). The latents evaluated, and so
 * the price, are the same for both samplers.
 */
export function modelWork(request: EditRequest, image: Size): ModelWork {
  const stepsPerOperation = stepsFromT0(request.steps, startFraction(request));
  const guided = request.guidance > 1;
  if (request.task === "drag") {
    const pairs = request.points.map((p) => ({ from: latentPoint(p.from, image), to: latentPoint(p.to, image) }));
    const operations = dragOperationCount(pairs);
    const calls = operations * stepsPerOperation;
    const decoderCalls = previewDecodes(request.previews, request.task, calls);
    return request.sampler === "sde"
      ? { operations, stepsPerOperation, batch: guided ? 4 : 2, unetCalls: calls, decoderCalls }
      : { operations, stepsPerOperation, batch: guided ? 2 : 1, unetCalls: 2 * calls, decoderCalls };
  }
  const decoderCalls = previewDecodes(request.previews, request.task, stepsPerOperation);
  return { operations: 1, stepsPerOperation, batch: guided ? 2 : 1, unetCalls: stepsPerOperation, decoderCalls };
}

export function priceMicroCredits(request: EditRequest, image: Size): number {
  const work = modelWork(request, image);
  const size = workingSize(image);
  const pixelFactor = (size.width * size.height) / priceTable.referencePixels;
  const samples = work.unetCalls * work.batch + priceTable.unetSamplesPerDecode * work.decoderCalls;
  const compute = Math.ceil(priceTable.perUnetSampleMicroCredits * samples * pixelFactor);
  return priceTable.baseMicroCredits[request.task] + compute;
}

export const Quote = z
  .object({
    price: z.int().meta({ description: inMicroCredits("The price") }),
    width: z.int(),
    height: z.int(),
    operations: z.int(),
    steps_per_operation: z.int(),
    unet_calls: z.int(),
    batch: z.int(),
    decoder_calls: z.int().meta({ description: "VAE decodes for previews (the output's own decode is in the base)" }),
  })
  .meta({ id: "Quote" });
export type Quote = z.infer<typeof Quote>;

export function quote(request: EditRequest, image: Size): Quote {
  const work = modelWork(request, image);
  return {
    price: priceMicroCredits(request, image),
    width: image.width,
    height: image.height,
    operations: work.operations,
    steps_per_operation: work.stepsPerOperation,
    unet_calls: work.unetCalls,
    batch: work.batch,
    decoder_calls: work.decoderCalls,
  };
}
