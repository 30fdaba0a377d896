import { describe, expect, it } from "vitest";
import reference from "../../../reference/sde-ode-vectors.json" with { type: "json" };
import { GaussianNoisePredictor } from "../analytic/gaussian-noise-predictor.js";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { latents } from "../diffusion/latents.js";
import { stepGrid } from "../diffusion/step-grid.js";
import { PredictorSpy, WavyNoisePredictor } from "../diffusion/test-predictors.js";
import { JobFailure } from "../job-failure.js";
import { runDrag } from "./drag.js";
import { latentSide, rectangleMask, referenceDrag, runtimeWith } from "./test-inputs.js";

const levels = stepGrid(200, 0.6).levels.slice(0, -1);
const cells = latentSide * latentSide;
const prompt = referenceDrag().prompt;

describe("runDrag model calls (ALGORITHMS 5.3)", () => {
  it("runs the reference SDE-Drag as 5 operations x 120 calls of batch 4: [x, x, rec, rec] x [uncond, cond]", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    await runDrag(referenceDrag(), runtimeWith(spy));
    expect(spy.calls.length).toBe(5 * 120);
    expect(spy.encodedPrompts).toEqual([prompt, ""]);
    for (const [i, call] of spy.calls.entries()) {
      expect(call.batchSize).toBe(4);
      expect(call.prompts).toEqual(["", prompt, "", prompt]);
      expect(call.timesteps).toEqual(Array(4).fill(levels[i % 120]));
    }
  });

  it("halves the batch at guidance 1 and never encodes the empty prompt", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    await runDrag(referenceDrag({ guidance: 1, steps: 50 }), runtimeWith(spy));
    expect(spy.encodedPrompts).toEqual([prompt]);
    expect(spy.calls.length).toBe(5 * 30);
    expect(spy.calls.every((c) => c.batchSize === 2 && c.prompts.join() === `${prompt},${prompt}`)).toBe(true);
  });

  it("runs ODE-Drag as 5 operations x (120 inversion calls upward + 120 DDIM calls downward) of batch 2", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    await runDrag(referenceDrag({ sampler: "ode" }), runtimeWith(spy));
    expect(spy.calls.length).toBe(5 * 240);
    const upward = [...levels].reverse();
    for (const [i, call] of spy.calls.entries()) {
      const k = i % 240;
      expect(call.batchSize).toBe(2);
      expect(call.prompts).toEqual(["", prompt]);
      expect(call.timesteps[0]).toBe(k < 120 ? upward[k] : levels[k - 120]);
    }
  });
});

describe("runDrag on the reference drag splits", () => {
  for (const c of reference.drag_split.cases) {
    it(`runs ${c.operations} operation(s) for ${JSON.stringify(c.source_latent)} -> ${JSON.stringify(c.target_latent)}`, async () => {
      // A 64x64 latent (a 512x512 image) holds every reference point; a 10-step grid from t0 = 0.6 takes 6 steps.
      const latent = latents([1, 4, 64, 64], new GaussianRng(3).fill(new Float32Array(4 * 64 * 64)));
      const pair = { from: c.source_latent as [number, number], to: c.target_latent as [number, number] };
      const progress: number[] = [];
      const spy = new PredictorSpy(new WavyNoisePredictor());
      await runDrag(
        referenceDrag({ latent, points: [pair], steps: 10 }),
        runtimeWith(spy, { onStep: (p) => progress.push(p.total) }),
      );
      expect(spy.calls.length).toBe(c.operations * 6);
      expect(new Set(progress)).toEqual(new Set([c.operations * 6]));
    });
  }
});

describe.each(["sde", "ode"] as const)("runDrag (%s) with a mask", (sampler) => {
  // Editable: columns 10..25, rows 10..31, which holds every copy-paste block of the reference drag. A 50-step grid
  // (30 steps per operation) keeps the test short.
  const mask = rectangleMask(10, 10, 25, 31);
  const input = referenceDrag({ sampler, mask, steps: 50 });
  const maskLevels = stepGrid(50, 0.6).levels.slice(0, -1);
  const n = maskLevels.length;

  it("keeps the region outside the mask equal to the recorded latent of every level, and to the input at the end", async () => {
    // Stage 1's latents reach the model as the rec branch (SDE) or as the input of the inversion calls (ODE).
    const recordedAt = new Map<number, Float32Array>();
    let mismatches = 0;
    let compared = 0;
    let call = 0;
    const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) => {
      const x = batch.latents.data;
      const item = x.length / batch.latents.shape[0];
      const level = batch.timesteps[0]!;
      let recorded: Float32Array | undefined;
      if (sampler === "sde") recorded = x.subarray(2 * item, 3 * item);
      else {
        const k = call % (2 * n);
        // Inversion call k evaluates the latent of the level below its own (k = 0: the clean latent), so it shows
        // the latent recorded for that level; the backward call at that level must match it.
        if (k < n) recordedAt.set(k === 0 ? -1 : maskLevels[n - k]!, Float32Array.from(x.subarray(0, item)));
        else recorded = recordedAt.get(level);
      }
      call++;
      if (!recorded) return;
      for (let i = 0; i < item; i++) {
        if (mask[i % cells] === 0) {
          compared++;
          if (x[i] !== recorded[i]) mismatches++;
        }
      }
    });
    const output = await runDrag(input, runtimeWith(spy));
    expect(compared).toBeGreaterThan(0);
    expect(mismatches).toBe(0);
    let [keptChanged, changed] = [0, 0];
    for (let i = 0; i < output.data.length; i++) {
      if (mask[i % cells] === 0) keptChanged += output.data[i] === input.latent.data[i] ? 0 : 1;
      else if (output.data[i] !== input.latent.data[i]) changed++;
    }
    expect(keptChanged).toBe(0);
    expect(changed).toBeGreaterThan(0);
  });
});

describe("runDrag validation", () => {
  it.each([
    [[32, 5], "drag point [32, 5] lies outside the 32x32 latent: x must be in 0..31, y in 0..31"],
    [[3, -1], "drag point [3, -1] lies outside the 32x32 latent: x must be in 0..31, y in 0..31"],
  ] as const)("rejects a target at %j with points_outside_image", async (to, message) => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    const failure = await runDrag(referenceDrag({ points: [{ from: [5, 5], to }] }), runtimeWith(spy)).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(JobFailure);
    expect(failure).toMatchObject({ code: "points_outside_image", message });
    expect(spy.calls.length).toBe(0);
  });

  it("rejects points that are not latent cells", async () => {
    const predictor = new WavyNoisePredictor();
    await expect(
      runDrag(referenceDrag({ points: [{ from: [1.5, 2], to: [3, 3] }] }), runtimeWith(predictor)),
    ).rejects.toMatchObject({
      code: "invalid_parameters",
      message: "drag point [1.5, 2] is not a latent cell (integers expected)",
    });
  });

  it("rejects a mask of another size with mask_size_mismatch", async () => {
    await expect(
      runDrag(referenceDrag({ mask: new Float32Array(100) }), runtimeWith(new WavyNoisePredictor())),
    ).rejects.toMatchObject({
      code: "mask_size_mismatch",
      message: "mask has 100 cells; the latent is 32x32 = 1024 cells",
    });
  });

  it("rejects a 9-channel inpainting UNet", async () => {
    await expect(runDrag(referenceDrag(), runtimeWith(new WavyNoisePredictor(9)))).rejects.toMatchObject({
      code: "invalid_parameters",
      message: "the model's UNet takes 9 input channels; drag needs a 4-channel UNet",
    });
  });
});

describe("runDrag at the borders", () => {
  it("drags from the last column and row to the first", async () => {
    const input = referenceDrag({ points: [{ from: [31, 31], to: [29, 30] }], steps: 50, guidance: 1 });
    const output = await runDrag(input, runtimeWith(new GaussianNoisePredictor({ mean: 0, std: 1 })));
    expect(output.data.every(Number.isFinite)).toBe(true);
    expect(output.data[31 * 32 + 31]).not.toBe(input.latent.data[31 * 32 + 31]);
  });
});
