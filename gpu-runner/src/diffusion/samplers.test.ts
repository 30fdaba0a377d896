import { describe, expect, it } from "vitest";
import { cleanEstimate } from "./clean-estimate.js";
import { GaussianRng } from "./gaussian-rng.js";
import { rampedGuidance } from "./guidance.js";
import { GuidedNoise } from "./guided-noise.js";
import type { NoisePredictor } from "./noise-predictor.js";
import { invertDdim, recordCycleForward, type SamplerOptions, sampleCycleSde, sampleEta } from "./samplers.js";
import { abarAt } from "./schedule.js";
import { type StepGrid, stepCount, stepGrid } from "./step-grid.js";
import { PredictorSpy, WavyNoisePredictor } from "./test-predictors.js";

const shape = [1, 4, 6, 5] as const;
const size = 4 * 6 * 5;
const x0 = new GaussianRng(1).fill(new Float32Array(size));
const grid = stepGrid(200, 0.6);

function record(seed: number, values = x0, on = grid): Float32Array[] {
  const recorded = on.levels.map(() => new Float32Array(values.length));
  recordCycleForward(Float32Array.from(values), on, { rng: new GaussianRng(seed), recorded });
  return recorded;
}

/** The model of the loops: with the unconditional pass, or (guided false) the conditional pass alone. */
async function guidedModel(predictor: NoisePredictor, branches: 1 | 2, guided = true): Promise<GuidedNoise> {
  const cond = await predictor.encodePrompt("a tree");
  const conditions = guided ? { cond, uncond: await predictor.encodePrompt("") } : { cond };
  return new GuidedNoise({ predictor, conditions, itemShape: [...shape], branches });
}

describe("recordCycleForward", () => {
  it("keeps x0 at the clean level and noises level by level upward with fresh draws in that order", () => {
    const recorded = record(5);
    expect(recorded.at(-1)).toEqual(x0);
    const rng = new GaussianRng(5);
    for (let k = grid.levels.length - 2; k >= 0; k--) {
      const z = rng.fill(new Float32Array(size));
      const ratio = abarAt(grid.levels[k]!) / abarAt(grid.levels[k + 1]!);
      const expected = Float32Array.from(
        recorded[k + 1]!,
        (v, i) => Math.sqrt(ratio) * v + Math.sqrt(1 - ratio) * z[i]!,
      );
      expect(recorded[k]).toEqual(expected);
    }
  });

  it("leaves x at the top level, where the run down the grid starts", () => {
    const x = Float32Array.from(x0);
    const recorded = grid.levels.map(() => new Float32Array(size));
    recordCycleForward(x, grid, { rng: new GaussianRng(5), recorded });
    expect(x).toEqual(recorded[0]);
  });

  it("reaches the forward marginal N(a_t0 x0, 1 - ᾱ_t0) at the top level", () => {
    const n = 2 ** 16;
    const top = record(6, new Float32Array(n).fill(1))[0]!;
    const abar = abarAt(grid.levels[0]!);
    const mean = top.reduce((sum, v) => sum + v, 0) / n;
    const variance = top.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean - Math.sqrt(abar))).toBeLessThan(5 * Math.sqrt((1 - abar) / n));
    expect(Math.abs(variance - (1 - abar))).toBeLessThan(5 * (1 - abar) * Math.sqrt(2 / n));
  });
});

describe("sampleCycleSde without an edit", () => {
  it("returns every recorded latent and finally the input latent (1e-6 in float32), with guidance 3 ramped", async () => {
    const latent = new GaussianRng(99).fill(new Float32Array(4 * 32 * 32));
    const recorded = record(21, latent);
    let worst = 0;
    const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) => {
      // Items [x_u, x_c, rec_u, rec_c]: the x branch must track the recorded branch at every level.
      const data = batch.latents.data;
      const item = data.length / 4;
      for (let i = 0; i < item; i++) worst = Math.max(worst, Math.abs(data[i]! - data[2 * item + i]!));
    });
    const conditions = { cond: await spy.encodePrompt("a tree"), uncond: await spy.encodePrompt("") };
    const model = new GuidedNoise({ predictor: spy, conditions, itemShape: [1, 4, 32, 32], branches: 2 });
    const x = Float32Array.from(recorded[0]!);
    const n = stepCount(grid);
    await sampleCycleSde(model, x, grid, { recorded, guidance: (k) => rampedGuidance(3, k, n) });

    expect(spy.calls.length).toBe(120);
    expect(worst).toBeLessThanOrEqual(1e-6);
    let worstEnd = 0;
    for (let i = 0; i < x.length; i++) worstEnd = Math.max(worstEnd, Math.abs(x[i]! - latent[i]!));
    expect(worstEnd).toBeLessThanOrEqual(1e-6);
  });
});

describe("invertDdim", () => {
  it("records the clean latent at level -1, calls the model upward at the target levels and leaves x at the top", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    const model = await guidedModel(spy, 1);
    const small = stepGrid(20, 0.5);
    const x = Float32Array.from(x0);
    const recorded = small.levels.map(() => new Float32Array(size));
    await invertDdim(model, x, small, { recorded, guidance: () => 2 });
    expect(recorded.at(-1)).toEqual(x0);
    expect(spy.calls.map((c) => c.timesteps[0])).toEqual(small.levels.slice(0, -1).reverse());
    expect(x).toEqual(recorded[0]);
    expect(x).not.toEqual(x0);
  });
});

// One suite for every loop that calls the model: onStep, its x̂0, and the signal.
interface LoopCase {
  name: string;
  branches: 1 | 2;
  /** The level of the latent step k starts from. */
  levelOf: (k: number) => number;
  run: (model: GuidedNoise, x: Float32Array, options: SamplerOptions) => Promise<void>;
}

const loopGrid: StepGrid = stepGrid(20, 0.5);
const loopRecorded = record(3, x0, loopGrid);
const loops: LoopCase[] = [
  ...([0, 1] as const).map((eta) => ({
    name: `sampleEta (η = ${eta})`,
    branches: 1 as const,
    levelOf: (k: number) => loopGrid.levels[k]!,
    run: (model: GuidedNoise, x: Float32Array, options: SamplerOptions) =>
      sampleEta(model, x, loopGrid, { ...options, eta, rng: new GaussianRng(4) }),
  })),
  {
    name: "sampleCycleSde",
    branches: 2,
    levelOf: (k) => loopGrid.levels[k]!,
    run: (model, x, options) => sampleCycleSde(model, x, loopGrid, { ...options, recorded: loopRecorded }),
  },
  {
    name: "invertDdim",
    branches: 1,
    levelOf: (k) => loopGrid.levels[k + 1]!,
    run: (model, x, options) =>
      invertDdim(model, x, loopGrid, { ...options, recorded: loopGrid.levels.map(() => new Float32Array(size)) }),
  },
];
const loopSteps = stepCount(loopGrid);

describe.each(loops)("$name", (loop) => {
  const start = () => Float32Array.from(loop.name === "invertDdim" ? x0 : loopRecorded[0]!);

  it("calls onStep once per model call, after it and before x moves, and awaits it", async () => {
    // Items [x_u, x_c, ...]: the latent the model saw for x is item 1.
    const seen: Float32Array[] = [];
    const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) =>
      seen.push(Float32Array.from(batch.latents.data.subarray(size, 2 * size))),
    );
    const model = await guidedModel(spy, loop.branches);
    const steps: number[] = [];
    const callsDuringStep: number[] = [];
    await loop.run(model, start(), {
      guidance: () => 1,
      onStep: async (step) => {
        const calls = spy.calls.length;
        expect(step.x).toEqual(seen[calls - 1]);
        steps.push(step.k);
        await new Promise((resolve) => setTimeout(resolve, 1));
        callsDuringStep.push(spy.calls.length - calls);
      },
    });
    const order = Array.from({ length: loopSteps }, (_, i) => i);
    expect(steps).toEqual(loop.name === "invertDdim" ? order.reverse() : order);
    expect(callsDuringStep).toEqual(Array(loopSteps).fill(0));
    expect(spy.calls.length).toBe(loopSteps);
  });

  it("computes x̂0 = (x - √(1-ᾱ) e) / √ᾱ at the level of x when asked", async () => {
    const wavy = new WavyNoisePredictor();
    const cond = await wavy.encodePrompt("a tree");
    // Without the unconditional pass e is the model's output itself, so it can be computed again here.
    const model = await guidedModel(wavy, loop.branches, false);
    const checked: number[] = [];
    await loop.run(model, start(), {
      guidance: () => 1,
      onStep: async (step) => {
        const level = loop.levelOf(step.k);
        // Every loop predicts step k's e at grid.levels[k] (the inversion at its target level).
        const e = await wavy.predictNoise({
          latents: { shape: [...shape], data: Float32Array.from(step.x) },
          timesteps: [loopGrid.levels[step.k]!],
          conditions: [cond],
        });
        const expected = new Float32Array(size);
        cleanEstimate(expected, step.x, e, { aT: Math.sqrt(abarAt(level)), cT: Math.sqrt(1 - abarAt(level)) });
        expect(step.x0Hat()).toEqual(expected);
        checked.push(step.k);
      },
    });
    expect(checked).toHaveLength(loopSteps);
  });

  it("throws the signal's reason before the first model call when it has already fired", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    const reason = new Error("stopped");
    const outcome = await loop
      .run(await guidedModel(spy, loop.branches), start(), { guidance: () => 2, signal: AbortSignal.abort(reason) })
      .catch((error: unknown) => error);
    expect(outcome).toBe(reason);
    expect(spy.calls).toEqual([]);
  });

  it("stops between steps once the signal fires", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    const controller = new AbortController();
    let steps = 0;
    const outcome = await loop
      .run(await guidedModel(spy, loop.branches), start(), {
        guidance: () => 2,
        signal: controller.signal,
        onStep: () => {
          if (++steps === 3) controller.abort();
        },
      })
      .catch((error: unknown) => error);
    expect(outcome).toBe(controller.signal.reason);
    expect(spy.calls.length).toBe(3);
  });
});
