import { describe, expect, it } from "vitest";
import { GaussianNoisePredictor } from "../analytic/gaussian-noise-predictor.js";
import { cleanEstimate } from "./clean-estimate.js";
import { etaStep, stepCoefficients } from "./eta-step.js";
import { GaussianRng } from "./gaussian-rng.js";
import { latents } from "./latents.js";
import { abarAt, cleanLevel } from "./schedule.js";

const data = { mean: 0.7, std: 1.8 };
const predictor = new GaussianNoisePredictor(data);

async function exactNoise(x: Float32Array, level: number): Promise<Float32Array> {
  const condition = await predictor.encodePrompt("");
  return predictor.predictNoise({
    latents: latents([1, 1, 1, x.length], x),
    timesteps: [level],
    conditions: [condition],
  });
}

describe("cleanEstimate", () => {
  it.each([999, 600, 250, 20, 0])(
    "is E[x0 | x_t] for Gaussian data with the exact noise at level %i",
    async (level) => {
      const abar = abarAt(level);
      const a = Math.sqrt(abar);
      const x = new GaussianRng(level + 1).fill(new Float32Array(64)).map((z) => 3 * z);
      const out = new Float32Array(x.length);
      cleanEstimate(out, x, await exactNoise(x, level), stepCoefficients(level, cleanLevel, 0));
      // Posterior mean of x0 ~ N(μ, s²) seen through x_t = a x0 + c z: μ + a s² (x_t - a μ) / (ᾱ s² + 1 - ᾱ).
      const variance = abar * data.std ** 2 + 1 - abar;
      for (let i = 0; i < x.length; i++) {
        const posteriorMean = data.mean + (a * data.std ** 2 * (x[i]! - a * data.mean)) / variance;
        expect(out[i]).toBeCloseTo(posteriorMean, 4);
      }
    },
  );

  it("is what the step into the clean level returns", async () => {
    const x = new GaussianRng(5).fill(new Float32Array(32));
    const e = await exactNoise(x, 40);
    const c = stepCoefficients(40, cleanLevel, 1);
    const estimate = new Float32Array(x.length);
    const stepped = new Float32Array(x.length);
    cleanEstimate(estimate, x, e, c);
    etaStep(stepped, x, e, c);
    expect(estimate).toEqual(stepped);
  });
});
