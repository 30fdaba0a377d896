/** @module preview-tap: hands a task's clean-image estimates at the previewed steps to its runtime (TaskRuntime.previews). */
import { previewSteps } from "@stochedit/shared";
import { latents, type Shape4 } from "../diffusion/latents.js";
import type { SamplerStep } from "../diffusion/samplers.js";
import type { TaskPreviews, TaskRuntime } from "./task.js";

/**
 * Counts the denoising steps of a whole task (every drag operation; not ODE-Drag's inversion) and, at the steps that
 * previewSteps picks, asks the step for x̂0 and waits for the runtime to take it. Between those steps it computes
 * nothing.
 */
export class PreviewTap {
  private denoised = 0;
  private index = 0;
  private readonly steps: ReadonlySet<number>;

  constructor(
    private readonly previews: TaskPreviews,
    private readonly shape: Shape4,
    readonly total: number,
  ) {
    this.steps = new Set(previewSteps(previews.count, total));
  }

  /** A drag's copy-pasted start, before its first step: preview 0, at step 0. */
  start(latent: Float32Array): Promise<void> {
    return this.hand(0, latent);
  }

  /** In every denoising step's onStep, once e is known and before x moves. */
  async step(step: SamplerStep): Promise<void> {
    this.denoised++;
    if (!this.steps.has(this.denoised)) return;
    await this.hand(this.denoised, step.x0Hat());
  }

  private hand(step: number, data: Float32Array): Promise<void> {
    return this.previews.onEstimate({
      index: this.index++,
      step,
      total: this.total,
      latent: latents(this.shape, data),
    });
  }
}

/** A tap for a task of `denoisingSteps` steps, or none when no previews were asked for. */
export function previewTap(runtime: TaskRuntime, shape: Shape4, denoisingSteps: number): PreviewTap | undefined {
  return runtime.previews && runtime.previews.count > 0
    ? new PreviewTap(runtime.previews, shape, denoisingSteps)
    : undefined;
}
