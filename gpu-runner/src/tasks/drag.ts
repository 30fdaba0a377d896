/** @module drag: SDE-Drag and ODE-Drag: split the drag; per operation stage 1, copy-paste, stage 2 (ALGORITHMS 5.3). */
import { type LatentPair, splitDragOperations } from "@stochedit/shared";
import { recordCycleForward } from "../diffusion/cycle-sde.js";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { rampedGuidance } from "../diffusion/guidance.js";
import { GuidedNoise } from "../diffusion/guided-noise.js";
import { type Latents, latents } from "../diffusion/latents.js";
import { stepCount, stepGrid } from "../diffusion/step-grid.js";
import { copyPaste } from "./drag-copy-paste.js";
import { cycleSdeBackward, type DragStage, ddimBackward, invertDdim } from "./drag-stages.js";
import { previewTap } from "./preview-tap.js";
import { encodeConditions } from "./prompt-conditions.js";
import { StepCounter } from "./step-counter.js";
import type { DragInput, TaskRuntime } from "./task.js";
import { checkLatent, checkMask, checkPlainUnet, checkPoints, checkSeed, checkSettings } from "./validate.js";

/**
 * Each operation starts from the previous one's result (no decode in between): stage 1 takes it to t0 and records
 * every level (Cycle-SDE forward with fresh noise, or DDIM inversion), copy-paste edits x_t0, and stage 2 runs back
 * down (Cycle-SDE steps, or DDIM), putting back the recorded latents outside the mask after every step.
 * Guidance ramps from 1 at the lowest level to `guidance` at t0.
 * Draws per operation: the forward noise level by level upward (SDE only), then each pair's source-block noise.
 * Model calls per operation: n of batch 2·2 (SDE; x and rec, each unconditional and conditional), or n inversion
 * calls then n DDIM calls of batch 2 (ODE), where n = stepsFromT0(steps, t0); the batch halves at guidance 1.
 */
export async function runDrag(input: DragInput, runtime: TaskRuntime): Promise<Latents> {
  const size = checkLatent(input.latent);
  checkSettings(input, input.t0, "t0");
  checkSeed(runtime.seed);
  checkPoints(input.points, size);
  if (input.mask !== undefined) checkMask(input.mask, size);
  checkPlainUnet(runtime.predictor, "drag");

  const sde = input.sampler === "sde";
  const operations = splitDragOperations(input.points);
  const grid = stepGrid(input.steps, input.t0);
  const n = stepCount(grid);
  const guidance = (k: number) => rampedGuidance(input.guidance, k, n);
  const counter = new StepCounter(runtime, operations.length * (sde ? n : 2 * n));
  const conditions = await encodeConditions(runtime.predictor, input.prompt, input.guidance);
  // SDE-Drag evaluates x and the recorded latent together; ODE-Drag evaluates one latent per call.
  const noise = new GuidedNoise({
    predictor: runtime.predictor,
    conditions,
    itemShape: input.latent.shape,
    branches: sde ? 2 : 1,
  });
  const rng = new GaussianRng(runtime.seed);
  const previews = previewTap(runtime, input.latent.shape, operations.length * n);
  if (previews) await previews.start(copyPastedStart(input, operations, runtime.seed));

  const x = Float32Array.from(input.latent.data);
  const recorded = grid.levels.map(() => new Float32Array(x.length));
  const stage: DragStage = { x, grid, recorded, guidance, counter, mask: input.mask, ...(previews && { previews }) };
  for (const pairs of operations) {
    if (sde) recordCycleForward(x, grid, rng, recorded);
    else await invertDdim(x, grid, recorded, noise, guidance, counter);
    x.set(recorded[0]!);
    copyPaste(x, input.latent.shape, pairs, rng);
    if (sde) await cycleSdeBackward(stage, noise);
    else await ddimBackward(stage, noise, rng);
  }
  return latents(input.latent.shape, x);
}

/**
 * Preview 0 of a drag: every operation's copy-paste applied, in order, to the clean input latent, so the picture shows
 * where the content goes (and the refilled source) without the noise of x_t0, which would hide it. Its own generator
 * draws the refill noise: the job's draws, and so its output, stay as they are.
 */
function copyPastedStart(input: DragInput, operations: readonly LatentPair[][], seed: number): Float32Array {
  const start = Float32Array.from(input.latent.data);
  const rng = new GaussianRng(seed);
  for (const pairs of operations) copyPaste(start, input.latent.shape, pairs, rng);
  return start;
}
