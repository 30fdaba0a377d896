/** @module guided-noise: one predictNoise call for every branch of a step, with classifier-free guidance folded in. */
import { combineGuidance } from "./guidance.js";
import { type Latents, latents, type Shape4 } from "./latents.js";
import type { Condition, NoisePredictor } from "./noise-predictor.js";

/** The prompt's condition, and the empty prompt's when guidance needs the unconditional pass. */
export interface PromptConditions {
  readonly cond: Condition;
  readonly uncond?: Condition;
}

export interface GuidedNoiseOptions {
  readonly predictor: NoisePredictor;
  readonly conditions: PromptConditions;
  /** Shape of one branch's latent, [1, C, H, W]. */
  readonly itemShape: Shape4;
  /** Latents evaluated together per step: 1, or 2 for Cycle-SDE (x and the recorded latent). */
  readonly branches: number;
  /** A 9-channel UNet's [mask, masked-image latent] for one item, [1, 5, H, W]; repeated for every batch item. */
  readonly inpaintChannels?: Latents;
}

/**
 * Packs the branches into one batch, [x_u, x_c, rec_u, rec_c] with an unconditional pass or [x_c, rec_c] without
 * (guidance 1 halves the batch), and turns the model's output into one e per branch. Owns its buffers, the model's
 * output included, so a step allocates nothing.
 */
export class GuidedNoise {
  readonly batchSize: number;
  private readonly passes: readonly Condition[];
  private readonly batch: Latents;
  private readonly timesteps: number[];
  private readonly conditions: Condition[];
  private readonly inpaintChannels: Latents | undefined;
  private readonly itemSize: number;
  private readonly noise: Float32Array[];
  private readonly eps: Float32Array;

  constructor(private readonly options: GuidedNoiseOptions) {
    const { conditions, itemShape, branches, inpaintChannels } = options;
    this.passes = conditions.uncond === undefined ? [conditions.cond] : [conditions.uncond, conditions.cond];
    this.batchSize = branches * this.passes.length;
    this.itemSize = itemShape[1] * itemShape[2] * itemShape[3];
    this.batch = latents([this.batchSize, itemShape[1], itemShape[2], itemShape[3]]);
    this.timesteps = new Array<number>(this.batchSize).fill(0);
    this.conditions = Array.from({ length: this.batchSize }, (_, i) => this.passes[i % this.passes.length]!);
    this.inpaintChannels = inpaintChannels && repeatItem(inpaintChannels, this.batchSize);
    this.noise = Array.from({ length: branches }, () => new Float32Array(this.itemSize));
    this.eps = new Float32Array(this.batch.data.length);
  }

  /**
   * e for each branch latent at `level` under `guidance` (used only with an unconditional pass). The returned arrays
   * are this object's buffers, valid until the next call.
   */
  async predict(branches: readonly Float32Array[], level: number, guidance: number): Promise<readonly Float32Array[]> {
    const passCount = this.passes.length;
    for (let b = 0; b < branches.length; b++) {
      for (let p = 0; p < passCount; p++) this.batch.data.set(branches[b]!, (b * passCount + p) * this.itemSize);
    }
    this.timesteps.fill(level);
    const batch = {
      latents: this.batch,
      timesteps: this.timesteps,
      conditions: this.conditions,
      eps: this.eps,
      ...(this.inpaintChannels && { inpaintChannels: this.inpaintChannels }),
    };
    const { predictor } = this.options;
    if (passCount === 2 && predictor.predictGuidedNoise) {
      await predictor.predictGuidedNoise(batch, guidance, this.noise);
      return this.noise;
    }
    const output = await predictor.predictNoise(batch);
    if (output.length !== this.batch.data.length) {
      throw new RangeError(
        `the noise predictor returned ${output.length} values for a batch of ${this.batch.data.length}`,
      );
    }
    const at = (item: number) => item * this.itemSize;
    for (let b = 0; b < branches.length; b++) {
      if (passCount === 1) this.noise[b]!.set(output.subarray(at(b), at(b + 1)));
      else combineGuidance(this.noise[b]!, output, at(2 * b), at(2 * b + 1), guidance);
    }
    return this.noise;
  }
}

function repeatItem(item: Latents, count: number): Latents {
  const [, channels, height, width] = item.shape;
  const data = new Float32Array(count * item.data.length);
  for (let i = 0; i < count; i++) data.set(item.data, i * item.data.length);
  return latents([count, channels, height, width], data);
}
