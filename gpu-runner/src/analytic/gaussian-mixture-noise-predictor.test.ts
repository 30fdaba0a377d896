import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { latents } from "../diffusion/latents.js";
import { abarAt } from "../diffusion/schedule.js";
import { JobFailure } from "../job-failure.js";
import { GaussianMixture, type MixtureComponentSpec } from "./gaussian-mixture.js";
import { GaussianMixtureNoisePredictor } from "./gaussian-mixture-noise-predictor.js";
import { GaussianNoisePredictor } from "./gaussian-noise-predictor.js";

// Three components in 3 dimensions, unequal weights and per-dimension stds, close enough that posterior weights
// are far from 0/1 between them.
const components: MixtureComponentSpec[] = [
  { weight: 0.5, mean: [-1, 0.5, 0], std: [0.3, 0.6, 1.2] },
  { weight: 0.3, mean: [1.2, -0.4, 0.8], std: 0.45 },
  { weight: 0.2, mean: [0.1, 1.5, -1], std: [1, 0.2, 0.5] },
];

/**
 * log p_t(x) for x_t = a x_0 + c z, x_0 from `components`, written out from the definition (independently of
 * GaussianMixture): Σ_k π_k Π_d N(x_d; a μ_kd, ᾱ s_kd² + 1 - ᾱ).
 */
function noisedLogDensity(x: readonly number[], abar: number): number {
  const total = components.reduce((sum, c) => sum + c.weight, 0);
  let density = 0;
  for (const c of components) {
    let product = c.weight / total;
    for (let d = 0; d < x.length; d++) {
      const s = typeof c.std === "number" ? c.std : c.std[d]!;
      const variance = abar * s * s + 1 - abar;
      product *=
        Math.exp(-((x[d]! - Math.sqrt(abar) * c.mean[d]!) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);
    }
    density += product;
  }
  return Math.log(density);
}

async function predict(
  predictor: GaussianMixtureNoisePredictor | GaussianNoisePredictor,
  x: Float32Array,
  level: number,
) {
  const condition = await predictor.encodePrompt("");
  return predictor.predictNoise({
    latents: latents([1, 1, 1, x.length], x),
    timesteps: [level],
    conditions: [condition],
  });
}

describe("GaussianMixtureNoisePredictor", () => {
  it.each([0, 150, 450, 700, 999])("gives ε = -c_t ∇ log p_t (central differences) at level %s", async (level) => {
    const predictor = new GaussianMixtureNoisePredictor(new GaussianMixture(components));
    const abar = abarAt(level);
    const rng = new GaussianRng(level + 7);
    // Points spread over and between the noised components.
    const x = Float32Array.from({ length: 3 * 40 }, () => 1.3 * rng.normal());
    const e = await predict(predictor, x, level);
    const h = 1e-4;
    let worst = 0;
    for (let point = 0; point < 40; point++) {
      const at = Array.from(x.subarray(3 * point, 3 * point + 3));
      for (let d = 0; d < 3; d++) {
        const up = at.map((v, i) => (i === d ? v + h : v));
        const down = at.map((v, i) => (i === d ? v - h : v));
        const score = (noisedLogDensity(up, abar) - noisedLogDensity(down, abar)) / (2 * h);
        const expected = -Math.sqrt(1 - abar) * score;
        // Central differences err by O(h²) ≈ 1e-8 here; the output is float32 (relative 6e-8).
        worst = Math.max(worst, Math.abs(e[3 * point + d]! - expected) / (1e-6 + 1e-6 * Math.abs(expected)));
      }
    }
    expect(worst).toBeLessThan(1);
  });

  it("with one component is the diagonal Gaussian: matches GaussianNoisePredictor", async () => {
    const one = new GaussianMixtureNoisePredictor(new GaussianMixture([{ weight: 1, mean: [0.7], std: 0.5 }]));
    const gaussian = new GaussianNoisePredictor({ mean: 0.7, std: 0.5 });
    const x = new GaussianRng(3).fill(new Float32Array(64));
    for (const level of [0, 600, 999]) {
      const [a, b] = [await predict(one, x, level), await predict(gaussian, x, level)];
      for (let i = 0; i < x.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 6);
    }
  });

  it("treats an item as consecutive independent points: a batch of 2 items of 2 points equals 4 single points", async () => {
    const mixture = new GaussianMixture(components);
    const predictor = new GaussianMixtureNoisePredictor(mixture);
    const x = new GaussianRng(11).fill(new Float32Array(12));
    const condition = await predictor.encodePrompt("");
    const together = await predictor.predictNoise({
      latents: latents([2, 1, 1, 6], x),
      timesteps: [300, 800],
      conditions: [condition, condition],
    });
    for (let point = 0; point < 4; point++) {
      const alone = await predict(predictor, x.slice(3 * point, 3 * point + 3), point < 2 ? 300 : 800);
      expect(Array.from(together.subarray(3 * point, 3 * point + 3))).toEqual(Array.from(alone));
    }
  });

  it("fails with model_error when an item does not split into points", async () => {
    const predictor = new GaussianMixtureNoisePredictor(new GaussianMixture(components));
    const run = predict(predictor, new Float32Array(4), 10);
    await expect(run).rejects.toBeInstanceOf(JobFailure);
    await expect(run).rejects.toThrow("a latent item of 4 values does not split into mixture points of 3 values");
  });
});

describe("GaussianMixture", () => {
  it("rejects components of different dimensions and non-positive weights or stds, naming the component", () => {
    expect(() => new GaussianMixture([])).toThrow("at least one component");
    expect(() => new GaussianMixture([components[0]!, { weight: 1, mean: [0], std: 1 }])).toThrow(
      "mixture component 1 has 1 mean values; component 0 has 3",
    );
    expect(() => new GaussianMixture([{ weight: 0, mean: [0], std: 1 }])).toThrow("component 0 has weight 0");
    expect(() => new GaussianMixture([{ weight: 1, mean: [0, 0], std: [1, -1] }])).toThrow("std ≤ 0");
  });

  it("draws each component with its weight, mean and std", () => {
    const mixture = new GaussianMixture(components);
    const rng = new GaussianRng(5);
    const n = 2 ** 15;
    const counts = [0, 0, 0];
    const sums = [0, 0, 0];
    const point = new Float32Array(3);
    for (let i = 0; i < n; i++) {
      const k = mixture.componentAt((i + 0.5) / n);
      counts[k]!++;
      mixture.sampleComponent(2, rng, point);
      for (let d = 0; d < 3; d++) sums[d]! += point[d]!;
    }
    expect(counts).toEqual([0.5 * n, 0.3 * n, 0.2 * n].map(Math.round));
    // Component 2's mean, within 5 standard errors of its stds (1, 0.2, 0.5).
    [0.1, 1.5, -1].forEach((mean, d) => {
      expect(Math.abs(sums[d]! / n - mean)).toBeLessThan((5 * [1, 0.2, 0.5][d]!) / Math.sqrt(n));
    });
  });
});
