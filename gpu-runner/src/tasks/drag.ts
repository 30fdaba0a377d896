/** @module drag: SDE-Drag and ODE-Drag: split the drag; per operation stage 1, copy-paste, stage 2 (ALGORITHMS 5.3). */
import { type LatentPair, splitDragOperations } from "@stochedit/shared";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { rampedGuidance } from "../diffusion/guidance.js";
import { type Latents, latents } from "../diffusion/latents.js";
import { blendMask } from "../diffusion/mask-blend.js";
import { NoiseAhead } from "../diffusion/noise-ahead.js";
import { invertDdim, recordCycleForward, sampleCycleSde, sampleEta } from "../diffusion/samplers.js";
import { stepCount } from "../diffusion/step-grid.js";
import { copyPaste } from "./drag-copy-paste.js";
import type { DragInput, TaskRuntime } from "./task.js";
import { setUpTask } from "./task-setup.js";
import { checkLatent, checkMask, checkPlainUnet, checkPoints } from "./validate.js";

/**
 * Each operation starts from the previous one's result (no decode in between): stage 1 takes it to t0 and records
 * every level (Cycle-SDE forward with fresh noise, or DDIM inversion), copy-paste edits x_t0, and stage 2 runs back
 * down (Cycle-SDE steps, or DDIM), putting back the recorded latents outside the mask after every step.
 * Guidance ramps from 1 at the lowest level to `guidance` at t0.
 * Draws per operation: the forward noise level by level upward (SDE only), then each pair's source-block noise; an
 * SDE-Drag draws the forward noise of operations after the first during the previous one's stage 2 (same order), unless
 * its source draws ahead on a thread of its own.
 * Model calls per operation: n of batch 2·2 (SDE; x and rec, each unconditional and conditional), or n inversion
 * calls then n DDIM calls of batch 2 (ODE), where n = stepsFromT0(steps, t0); the batch halves at guidance 1.
 */
export async function runDrag(input: DragInput, runtime: TaskRuntime): Promise<Latents> {
  const size = checkLatent(input.latent);
  checkPoints(input.points, size);
  if (input.mask !== undefined) checkMask(input.mask, size);
  checkPlainUnet(runtime.predictor, "drag");

  const sde = input.sampler === "sde";
  const operations = splitDragOperations(input.points);
  // SDE-Drag evaluates x and the recorded latent together; ODE-Drag evaluates one latent per call.
  const { grid, model, rng, denoising, inverting, previews } = await setUpTask(input, runtime, {
    branches: sde ? 2 : 1,
    runs: operations.length,
    inverts: !sde,
  });
  const n = stepCount(grid);
  const guidance = (k: number) => rampedGuidance(input.guidance, k, n);
  if (previews) await previews.start(copyPastedStart(input, operations, runtime.seed));

  const x = Float32Array.from(input.latent.data);
  const recorded = grid.levels.map(() => new Float32Array(x.length));
  const { mask } = input;
  const stage2 = {
    ...denoising,
    guidance,
    ...(mask && { afterStep: (k: number) => blendMask(x, recorded[k + 1]!, mask) }),
  };
  // SDE-Drag draws the next operation's forward noise during this one's model calls, unless its source draws ahead.
  const ahead = sde && operations.length > 1 && !rng.drawsAhead ? new NoiseAhead(rng, n, x.length) : undefined;
  for (const [i, pairs] of operations.entries()) {
    const next = ahead && i + 1 < operations.length ? { whileModelRuns: () => ahead.drawNext() } : undefined;
    if (sde) recordCycleForward(x, grid, { rng, recorded, ...(ahead && i > 0 && { drawn: ahead.take() }) });
    else await invertDdim(model, x, grid, { ...inverting, guidance, recorded });
    copyPaste(x, input.latent.shape, pairs, rng);
    if (sde) await sampleCycleSde(model, x, grid, { ...stage2, recorded, ...next });
    else await sampleEta(model, x, grid, { ...stage2, eta: 0, rng });
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
