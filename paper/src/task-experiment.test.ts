import { stepsFromT0 } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { TaskExperimentConfig } from "./paper-config.js";
import { patternMean } from "./pattern-mixture.js";
import { runTaskExperiment } from "./task-experiment.js";

const data = {
  height: 4,
  width: 4,
  patterns: [
    { pattern: "horizontal-stripes", weight: 1 },
    { pattern: "vertical-stripes", weight: 1 },
  ],
  amplitude: 1,
  std: 0.25,
} as const;

const config = TaskExperimentConfig.parse({
  data,
  seeds: [3, 4],
  samplesPerSeed: 8,
  edits: [
    { name: "composite", task: "img2img", input: { kind: "composite", splitColumn: 2 }, t0: [0.3, 0.5], steps: [6] },
    { name: "fill", task: "inpaint", fill: { x: 2, y: 0, width: 2, height: 4 }, t0: [1], steps: [5] },
    { name: "drag", task: "drag", points: [{ from: [1, 1], to: [2, 1] }], t0: [0.5], steps: [4] },
  ],
});

describe("runTaskExperiment (experiment 2)", async () => {
  const result = await runTaskExperiment(config);
  const [composite, fill, drag] = result.edits;

  it("runs every t0 x steps setting of every edit with both samplers", () => {
    expect(result.dimension).toBe(64);
    expect(result.edits.map((e) => [e.name, e.task])).toEqual([
      ["composite", "img2img"],
      ["fill", "inpaint"],
      ["drag", "drag"],
    ]);
    expect(composite!.settings.map((s) => [s.t0, s.steps, s.runSteps])).toEqual([
      [0.3, 6, stepsFromT0(6, 0.3)],
      [0.5, 6, 3],
    ]);
    for (const edit of result.edits) {
      for (const setting of edit.settings) {
        for (const summary of [setting.ode.mmd2, setting.sde.likelihoodW1, setting.sdeMinusOde.logLikelihoodPerDim]) {
          expect(summary.perSeed).toHaveLength(2);
          expect(Number.isFinite(summary.mean)).toBe(true);
        }
      }
    }
  });

  it("makes img2img inputs from two different patterns, left and right of the split column", () => {
    const means = [patternMean("horizontal-stripes", config.data), patternMean("vertical-stripes", config.data)];
    const nearest = (x: readonly number[], columns: (col: number) => boolean) => {
      const error = means.map((m) => m.reduce((sum, v, i) => (columns(i % 4) ? sum + (x[i]! - v) ** 2 : sum), 0));
      return error.indexOf(Math.min(...error));
    };
    for (const input of composite!.examples.inputs) {
      expect(nearest(input, (col) => col < 2)).not.toBe(nearest(input, (col) => col >= 2));
    }
    // Every composite mixes two patterns across the halves; data never does.
    expect(composite!.baselines.inputs.incoherent.mean).toBe(1);
    expect(composite!.baselines.data.incoherent.mean).toBe(0);
    // Such inputs are far less likely than data: their likelihood profile is far from the data's.
    expect(composite!.baselines.inputs.likelihoodW1.mean).toBeGreaterThan(
      10 * composite!.baselines.data.likelihoodW1.mean,
    );
  });

  it("inpaints only the fill rectangle: the kept columns come back exactly", () => {
    for (const sampler of ["ode", "sde"] as const) {
      fill!.examples[sampler].forEach((output, n) => {
        const input = fill!.examples.inputs[n]!;
        for (let i = 0; i < output.length; i++) if (i % 4 < 2) expect(output[i]).toBe(input[i]);
      });
    }
  });

  it("measures where a drag's source content ended, for drag edits only", () => {
    for (const setting of drag!.settings) {
      for (const summary of [
        setting.ode.sourceAtTarget,
        setting.sde.sourceAtSource,
        setting.sdeMinusOde.sourceAtTarget,
      ]) {
        expect(summary!.perSeed).toHaveLength(2);
        expect(Math.abs(summary!.mean)).toBeLessThanOrEqual(1);
      }
      expect(["ode", "sde", "tie"]).toContain(setting.better.sourceAtTarget);
    }
    // An edit that moved nothing: its source content is all still at the source.
    expect(drag!.baselines.inputs.sourceAtSource!.mean).toBeCloseTo(1, 6);
    expect(drag!.baselines.inputs.sourceAtTarget!.mean).toBeLessThan(1);
    for (const edit of [composite!, fill!]) {
      expect(edit.settings[0]!.ode.sourceAtTarget).toBeUndefined();
      expect(edit.settings[0]!.better.sourceAtTarget).toBeUndefined();
    }
  });

  it("scores a second data sample as data: log-likelihood near the exact entropy, small distances", () => {
    // For N(μ_k, s² I) components that barely overlap, E log p ≈ -½ log(2π e s²) per value.
    const entropyPerValue = -0.5 * Math.log(2 * Math.PI * Math.E * data.std ** 2);
    expect(drag!.baselines.data.logLikelihoodPerDim.mean).toBeCloseTo(entropyPerValue, 1);
    expect(drag!.baselines.data.likelihoodW1.mean).toBeLessThan(0.1);
  });
});
