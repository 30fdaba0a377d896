import { abarAt } from "@stochedit/gpu-runner/sampling";
import { describe, expect, it } from "vitest";
import { runMixtureKl } from "./kl-mixture.js";
import { MixtureKlConfig } from "./paper-config.js";

const samples = 2 ** 13;
const config = MixtureKlConfig.parse({
  components: [
    { weight: 0.6, mean: -1.5, std: 0.4 },
    { weight: 0.4, mean: 2, std: 0.6 },
  ],
  editedWeights: [0.15, 0.85],
  startLevels: [700],
  strides: [25],
  samples,
  seed: 5,
  checkpoints: 5,
  bins: 20,
});

describe("runMixtureKl (experiment 1b)", async () => {
  const result = await runMixtureKl(config);
  const [ode, sde] = [result.runs.find((r) => r.sampler === "ode")!, result.runs.find((r) => r.sampler === "sde")!];
  // A mean of n values in [-1, 1] (posterior weights and their changes): 4 standard deviations are at most 4/√n.
  const weightTolerance = 4 / Math.sqrt(samples);

  it("normalises the weights and observes from the start level down to the clean level", () => {
    expect(result.trueWeights).toEqual([0.6, 0.4]);
    expect(result.editedWeights[0]).toBeCloseTo(0.15, 12);
    expect(ode.levels[0]).toBe(700);
    expect(ode.levels.at(-1)).toBe(-1);
    expect(result.klFloor).toBeCloseTo(19 / samples, 12);
  });

  it("keeps the true start's chain at the data weights under both samplers", () => {
    for (const run of [ode, sde]) {
      for (const w of run.truth.modeWeights) expect(Math.abs(w[0]! - 0.6)).toBeLessThan(weightTolerance);
    }
  });

  it("keeps the binned KL under the ODE: one monotone map carries both samples, so their ranks do not change", () => {
    for (const kl of ode.klBinned) expect(Math.abs(kl - ode.klBinned[0]!)).toBeLessThan(1e-3);
    expect(ode.klBinned[0]).toBeGreaterThan(10 * result.klFloor);
  });

  it("lowers the KL under the SDE, down to near the bound set by the mode weights, which the SDE keeps", () => {
    const [w0, w1] = [sde.edited.modeWeights[0]![0]!, sde.edited.modeWeights.at(-1)![0]!];
    expect(Math.abs(w1 - w0)).toBeLessThan(weightTolerance);
    expect(sde.klBinned.at(-1)).toBeLessThan(0.6 * sde.klBinned[0]!);
    expect(sde.klBinned.at(-1)).toBeLessThan(ode.klBinned.at(-1)!);
    // The bound holds for the true KL; the binned estimate sits below it by the binning and above by its floor.
    expect(sde.klBinned.at(-1)).toBeGreaterThan(0.5 * sde.klModeBound[0]!);
  });
});

describe("runMixtureKl on a symmetric mixture: where the ODE puts the modes", async () => {
  // 0.5 N(-2, 0.5²) + 0.5 N(2, 0.5²), edited to 0.9/0.1 at level 600. By symmetry the probability-flow line through 0
  // stays at 0, and in one dimension the flow keeps the order of points, so the ODE ends with the edited start's mass
  // below 0 in mode 1: 0.9 Φ(2a/√v) + 0.1 Φ(-2a/√v) at t0, neither the edit's 0.9 nor the data's 0.5.
  const result = await runMixtureKl(
    MixtureKlConfig.parse({
      components: [
        { weight: 1, mean: -2, std: 0.5 },
        { weight: 1, mean: 2, std: 0.5 },
      ],
      editedWeights: [0.9, 0.1],
      startLevels: [600],
      strides: [25],
      samples,
      seed: 9,
      checkpoints: 2,
    }),
  );

  it("ends the ODE with the edited mass that lay below the separatrix at t0", () => {
    const abar = abarAt(600);
    const z = (2 * Math.sqrt(abar)) / Math.sqrt(0.25 * abar + 1 - abar);
    const belowZero = 0.9 * normalCdf(z) + 0.1 * normalCdf(-z);
    const ode = result.runs.find((r) => r.sampler === "ode")!;
    expect(Math.abs(ode.edited.modeWeights.at(-1)![0]! - belowZero)).toBeLessThan(4 / Math.sqrt(samples));
    expect(belowZero).toBeGreaterThan(0.7);
  });
});

/** Φ(x) by Simpson's rule on the density from 0 (error far below 1e-9 with 2000 intervals). */
function normalCdf(x: number): number {
  const n = 2000;
  const h = Math.abs(x) / n;
  const density = (u: number) => Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);
  let sum = density(0) + density(Math.abs(x));
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return 0.5 + Math.sign(x) * ((h / 3) * sum);
}
