import { describe, expect, it } from "vitest";
import { recordCycleForward } from "../diffusion/cycle-sde.js";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { rampedGuidance } from "../diffusion/guidance.js";
import { GuidedNoise } from "../diffusion/guided-noise.js";
import { stepCount, stepGrid } from "../diffusion/step-grid.js";
import { PredictorSpy, WavyNoisePredictor } from "../diffusion/test-predictors.js";
import { cycleSdeBackward } from "./drag-stages.js";
import { StepCounter } from "./step-counter.js";
import { testLatent } from "./test-inputs.js";

describe("cycleSdeBackward without an edit", () => {
  it("returns every recorded latent and finally the input latent (1e-6 in float32), with guidance 3 ramped", async () => {
    const x0 = testLatent().data;
    const grid = stepGrid(200, 0.6);
    const n = stepCount(grid);
    const recorded = grid.levels.map(() => new Float32Array(x0.length));
    recordCycleForward(x0, grid, new GaussianRng(21), recorded);

    let worst = 0;
    const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) => {
      // Items [x_u, x_c, rec_u, rec_c]: the x branch must track the recorded branch at every level.
      const data = batch.latents.data;
      const item = data.length / 4;
      for (let i = 0; i < item; i++) worst = Math.max(worst, Math.abs(data[i]! - data[2 * item + i]!));
    });
    const conditions = { cond: await spy.encodePrompt("a tree"), uncond: await spy.encodePrompt("") };
    const noise = new GuidedNoise({ predictor: spy, conditions, itemShape: [1, 4, 32, 32], branches: 2 });
    const x = Float32Array.from(recorded[0]!);
    await cycleSdeBackward(
      { x, grid, recorded, guidance: (k) => rampedGuidance(3, k, n), counter: new StepCounter({}, n), mask: undefined },
      noise,
    );

    expect(spy.calls.length).toBe(120);
    expect(worst).toBeLessThanOrEqual(1e-6);
    let worstEnd = 0;
    for (let i = 0; i < x.length; i++) worstEnd = Math.max(worstEnd, Math.abs(x[i]! - x0[i]!));
    expect(worstEnd).toBeLessThanOrEqual(1e-6);
  });
});
