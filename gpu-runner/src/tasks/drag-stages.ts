/** @module drag-stages: a drag operation's stages: Cycle-SDE (SDE-Drag), DDIM inversion and DDIM (ODE-Drag). */
import { cycleSdeStep } from "../diffusion/cycle-sde.js";
import { ddimInversionStep } from "../diffusion/ddim-inversion.js";
import { stepCoefficients } from "../diffusion/eta-step.js";
import type { GaussianRng } from "../diffusion/gaussian-rng.js";
import type { GuidedNoise } from "../diffusion/guided-noise.js";
import { blendMask } from "../diffusion/mask-blend.js";
import { type StepGrid, stepCount } from "../diffusion/step-grid.js";
import { denoise } from "./denoise.js";
import type { PreviewTap } from "./preview-tap.js";
import type { StepCounter } from "./step-counter.js";
import type { LatentMask } from "./task.js";

/** What both stage-2 loops share: x runs from grid.levels[0] to clean; recorded[k] is stage 1's latent at levels[k]. */
export interface DragStage {
  readonly x: Float32Array;
  readonly grid: StepGrid;
  readonly recorded: readonly Float32Array[];
  readonly guidance: (k: number) => number;
  readonly counter: StepCounter;
  /** 1 = editable; outside it x is set to recorded[level] after every step. None: everything is editable. */
  readonly mask: LatentMask | undefined;
  /** Sees x and its e in every step before x moves (previews). */
  readonly previews?: PreviewTap;
}

/**
 * SDE-Drag's stage 2 (ALGORITHMS 4): each step evaluates x and the recorded latent in one call (`noise` has two
 * branches: batch 4 with guidance) and steps x with the noise that carries rec[t] to rec[s].
 */
export async function cycleSdeBackward(stage: DragStage, noise: GuidedNoise): Promise<void> {
  const { x, grid, recorded, counter, mask } = stage;
  const scratch = new Float32Array(x.length);
  for (let k = 0; k < stepCount(grid); k++) {
    counter.throwIfCanceled();
    const [e, eRec] = await noise.predict([x, recorded[k]!], grid.levels[k]!, stage.guidance(k));
    const c = stepCoefficients(grid.levels[k]!, grid.levels[k + 1]!, 1);
    if (stage.previews) await stage.previews.step(x, e!, c);
    cycleSdeStep(x, x, e!, recorded[k]!, recorded[k + 1]!, eRec!, c, scratch);
    if (mask) blendMask(x, recorded[k + 1]!, mask);
    counter.stepDone();
  }
}

/**
 * ODE-Drag's stage 1: DDIM inversion from the clean latent up the grid, keeping every level's latent in recorded[]
 * (the last entry, level -1, receives x0). One model call per step, with the guidance of that level.
 */
export async function invertDdim(
  x0: Float32Array,
  grid: StepGrid,
  recorded: Float32Array[],
  noise: GuidedNoise,
  guidance: (k: number) => number,
  counter: StepCounter,
): Promise<void> {
  const last = grid.levels.length - 1;
  recorded[last]!.set(x0);
  for (let k = last - 1; k >= 0; k--) {
    counter.throwIfCanceled();
    const [e] = await noise.predict([recorded[k + 1]!], grid.levels[k]!, guidance(k));
    ddimInversionStep(recorded[k]!, recorded[k + 1]!, e!, grid.levels[k + 1]!, grid.levels[k]!);
    counter.stepDone();
  }
}

/** ODE-Drag's stage 2: DDIM (η = 0) down the grid, putting back the inverted latents outside the mask. */
export async function ddimBackward(stage: DragStage, noise: GuidedNoise, rng: GaussianRng): Promise<void> {
  const { x, recorded, mask, previews } = stage;
  await denoise({
    x,
    grid: stage.grid,
    eta: 0,
    noise,
    guidance: stage.guidance,
    rng,
    counter: stage.counter,
    ...(mask && { afterStep: (k: number) => blendMask(x, recorded[k + 1]!, mask) }),
    ...(previews && { previews }),
  });
}
