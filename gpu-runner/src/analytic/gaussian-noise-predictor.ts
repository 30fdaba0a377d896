/** @module gaussian-noise-predictor: the exact ε for data x_0 ~ N(μ, s²) per dimension (ALGORITHMS 3). */
import type { Condition, NoiseBatch, NoisePredictor } from "../diffusion/noise-predictor.js";
import { abarAt } from "../diffusion/schedule.js";

// Legend: a_t = √ᾱ_t, c_t = √(1-ᾱ_t), v_t = ᾱ_t s² + 1 - ᾱ_t (the variance of x_t). With x_t = a_t x_0 + c_t z,
// E[z | x_t] = c_t (x_t - a_t μ) / v_t minimises the ε-prediction loss: this is the perfect model.

export interface GaussianData {
  readonly mean: number;
  readonly std: number;
}

/**
 * A NoisePredictor that knows the data distribution exactly: ε*(x, t) = c_t (x - a_t μ) / v_t. Prompts do not change
 * the data, so every condition gives the same ε and guidance has no effect. Stands in for a UNet wherever the answer
 * must be known in closed form.
 */
export class GaussianNoisePredictor implements NoisePredictor {
  readonly unetInputChannels = 4;

  constructor(private readonly data: GaussianData) {}

  async encodePrompt(prompt: string): Promise<Condition> {
    // Condition is opaque to the samplers; this predictor never reads it back.
    return { prompt } as unknown as Condition;
  }

  async predictNoise(batch: NoiseBatch): Promise<Float32Array> {
    const { mean, std } = this.data;
    const x = batch.latents.data;
    const itemSize = x.length / batch.latents.shape[0];
    const e = new Float32Array(x.length);
    for (let item = 0; item < batch.latents.shape[0]; item++) {
      const abar = abarAt(batch.timesteps[item]!);
      const a = Math.sqrt(abar);
      const c = Math.sqrt(1 - abar);
      const gain = c / (abar * std * std + 1 - abar);
      const shift = a * mean;
      for (let i = item * itemSize; i < (item + 1) * itemSize; i++) e[i] = gain * (x[i]! - shift);
    }
    return e;
  }
}
