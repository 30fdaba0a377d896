/** @module task-setup: what img2img, inpaint and drag set up alike: grid, guided model, generator, step hooks, previews. */
import { GaussianRng, type GaussianSource } from "../diffusion/gaussian-rng.js";
import { GuidedNoise } from "../diffusion/guided-noise.js";
import type { Latents } from "../diffusion/latents.js";
import type { SamplerOptions } from "../diffusion/samplers.js";
import { type StepGrid, stepCount, stepGrid } from "../diffusion/step-grid.js";
import { type PreviewTap, previewTap } from "./preview-tap.js";
import { encodeConditions } from "./prompt-conditions.js";
import type { TaskInput, TaskRuntime } from "./task.js";

/** How a task uses the model: what differs between img2img, inpaint and drag at setup. */
export interface TaskPlan {
  /** Latents evaluated per model call: 2 for Cycle-SDE (x and the recorded latent), else 1. */
  readonly branches: 1 | 2;
  /** Runs down the grid: a drag's operations; 1 for img2img and inpaint. */
  readonly runs: number;
  /** Whether each run first inverts up the grid with model calls of its own (ODE-Drag). */
  readonly inverts: boolean;
  /** A 9-channel inpainting UNet's [mask, masked-image latent] for every model call. */
  readonly inpaintChannels?: Latents;
}

export interface TaskSetup {
  /** From the input's t0 down to the clean level. */
  readonly grid: StepGrid;
  /** The samplers' model: the runtime's predictor with the prompt's guidance folded in. */
  readonly model: GuidedNoise;
  /** The job's one generator: every draw of the task, in a fixed order. */
  readonly rng: GaussianSource;
  /** onStep and signal of the runs down the grid: progress over all of the task's model calls, and previews. */
  readonly denoising: StepHooks;
  /** onStep and signal of ODE-Drag's inversion: progress only (previews count the denoising steps). */
  readonly inverting: StepHooks;
  /** The task's previews, when asked for: a drag hands its copy-pasted start first. */
  readonly previews: PreviewTap | undefined;
}

export type StepHooks = Pick<SamplerOptions, "onStep" | "signal">;

/** Encodes the prompt (the model's first work, after the task has checked its input) and builds what the runs share. */
export async function setUpTask(input: TaskInput, runtime: TaskRuntime, plan: TaskPlan): Promise<TaskSetup> {
  const grid = stepGrid(input.steps, input.t0);
  const denoisingSteps = plan.runs * stepCount(grid);
  const total = denoisingSteps * (plan.inverts ? 2 : 1);
  const model = new GuidedNoise({
    predictor: runtime.predictor,
    conditions: await encodeConditions(runtime.predictor, input.prompt, input.guidance),
    itemShape: input.latent.shape,
    branches: plan.branches,
    ...(plan.inpaintChannels && { inpaintChannels: plan.inpaintChannels }),
  });
  const previews = previewTap(runtime, input.latent.shape, denoisingSteps);
  let done = 0;
  const countStep = () => {
    done++;
    runtime.onStep?.({ step: done, total });
  };
  const signal = runtime.signal && { signal: runtime.signal };
  return {
    grid,
    model,
    rng: runtime.gaussians ?? new GaussianRng(runtime.seed),
    denoising: {
      ...signal,
      onStep: previews
        ? (step) => {
            countStep();
            return previews.step(step);
          }
        : countStep,
    },
    inverting: { ...signal, onStep: countStep },
    previews,
  };
}
