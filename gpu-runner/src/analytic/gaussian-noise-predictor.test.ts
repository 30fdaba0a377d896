import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { latents } from "../diffusion/latents.js";
import { abarAt } from "../diffusion/schedule.js";
import { GaussianNoisePredictor } from "./gaussian-noise-predictor.js";

const data = { mean: 0.7, std: 0.5 };

describe("GaussianNoisePredictor", () => {
  it("gives ε*(x, t) = c_t (x - a_t μ) / v_t per item, each at its own level", async () => {
    const predictor = new GaussianNoisePredictor(data);
    const condition = await predictor.encodePrompt("anything");
    const x = Float32Array.of(1, -0.5, 0.2, 2);
    const e = await predictor.predictNoise({
      latents: latents([2, 1, 1, 2], x),
      timesteps: [600, 4],
      conditions: [condition, condition],
    });
    for (let i = 0; i < 4; i++) {
      const abar = abarAt(i < 2 ? 600 : 4);
      const v = abar * data.std ** 2 + 1 - abar;
      expect(e[i]).toBeCloseTo((Math.sqrt(1 - abar) * (x[i]! - Math.sqrt(abar) * data.mean)) / v, 6);
    }
  });

  it.each([4, 250, 600, 999])(
    "is E[z | x_t] at level %s: its error has mean 0 and is uncorrelated with x_t",
    async (t) => {
      // x_t = a_t x0 + c_t z with x0 ~ N(μ, s²) is jointly Gaussian with z, so E[z | x_t] is the one affine function
      // of x_t whose error has mean 0 and no correlation with x_t.
      const n = 2 ** 16;
      const rng = new GaussianRng(t);
      const [a, c] = [Math.sqrt(abarAt(t)), Math.sqrt(1 - abarAt(t))];
      const z = rng.fill(new Float32Array(n));
      const xt = Float32Array.from(rng.fill(new Float32Array(n)), (u, i) => a * (data.mean + data.std * u) + c * z[i]!);
      const predictor = new GaussianNoisePredictor(data);
      const condition = await predictor.encodePrompt("");
      const e = await predictor.predictNoise({
        latents: latents([1, 1, 1, n], xt),
        timesteps: [t],
        conditions: [condition],
      });
      let [bias, correlation] = [0, 0];
      for (let i = 0; i < n; i++) {
        correlation += (z[i]! - e[i]!) * (xt[i]! - a * data.mean);
        bias += z[i]! - e[i]!;
      }
      expect(Math.abs(correlation / n)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(bias / n)).toBeLessThan(5 / Math.sqrt(n));
    },
  );

  it("ignores the prompt: every condition gives the same ε", async () => {
    const predictor = new GaussianNoisePredictor(data);
    const x = latents([2, 1, 1, 1], Float32Array.of(0.3, 0.3));
    const e = await predictor.predictNoise({
      latents: x,
      timesteps: [100, 100],
      conditions: [await predictor.encodePrompt(""), await predictor.encodePrompt("a dog")],
    });
    expect(e[0]).toBe(e[1]);
  });
});
