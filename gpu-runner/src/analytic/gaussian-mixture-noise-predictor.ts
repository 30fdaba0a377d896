/** @module gaussian-mixture-noise-predictor: the exact ε for data from a mixture of diagonal Gaussians. */
import type { Condition, NoiseBatch, NoisePredictor } from "../diffusion/noise-predictor.js";
import { abarAt } from "../diffusion/schedule.js";
import { JobFailure } from "../job-failure.js";
import type { GaussianMixture } from "./gaussian-mixture.js";

// Legend: a_t = √ᾱ_t, c_t = √(1-ᾱ_t). x_t = a_t x_0 + c_t z has the mixture law p_t with means a_t μ_k and variances
// ᾱ_t v_k + 1 - ᾱ_t, and Tweedie's formula gives E[z | x_t] = -c_t ∇ log p_t(x_t)
// = c_t Σ_k r_k(x_t) (x_t - a_t μ_k) / (ᾱ_t v_k + 1 - ᾱ_t), with r_k the posterior component weights under p_t.

/**
 * A NoisePredictor that knows the data law exactly: a Gaussian mixture over points of D values, ε*(x, t) =
 * -c_t ∇ log p_t(x). A latent item of m·D values holds m independent points, D consecutive values each (NCHW order),
 * so a [1, 4, h, w] item with D = 4hw is one "image", and a [1, 1, 1, n] item with D = 1 is n one-dimensional
 * samples. Prompts do not change the data, so every condition gives the same ε and guidance has no effect.
 */
export class GaussianMixtureNoisePredictor implements NoisePredictor {
  readonly unetInputChannels = 4;
  /** p_t per train level, built on first use: a run visits each level of its grid once per branch. */
  private readonly marginals = new Map<number, GaussianMixture>();

  constructor(private readonly mixture: GaussianMixture) {}

  async encodePrompt(prompt: string): Promise<Condition> {
    // Condition is opaque to the samplers; this predictor never reads it back.
    return { prompt } as unknown as Condition;
  }

  async predictNoise(batch: NoiseBatch): Promise<Float32Array> {
    const x = batch.latents.data;
    const itemSize = x.length / batch.latents.shape[0];
    const pointSize = this.mixture.dimension;
    if (itemSize % pointSize !== 0) {
      throw new JobFailure(
        "model_error",
        `a latent item of ${itemSize} values does not split into mixture points of ${pointSize} values`,
      );
    }
    const e = new Float32Array(x.length);
    for (let item = 0; item < batch.latents.shape[0]; item++) {
      const level = batch.timesteps[item]!;
      const abar = abarAt(level);
      const marginal = this.marginalAt(level, abar);
      const c = Math.sqrt(1 - abar);
      for (let offset = item * itemSize; offset < (item + 1) * itemSize; offset += pointSize) {
        marginal.score(x, offset, e, offset);
        for (let i = offset; i < offset + pointSize; i++) e[i] = -c * e[i]!;
      }
    }
    return e;
  }

  private marginalAt(level: number, abar: number): GaussianMixture {
    let marginal = this.marginals.get(level);
    if (marginal === undefined) {
      marginal = this.mixture.noised(abar);
      this.marginals.set(level, marginal);
    }
    return marginal;
  }
}
