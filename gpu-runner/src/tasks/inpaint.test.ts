import { stepsFromT0 } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { abarAt } from "../diffusion/schedule.js";
import { stepGrid } from "../diffusion/step-grid.js";
import { PredictorSpy, WavyNoisePredictor } from "../diffusion/test-predictors.js";
import { runInpaint } from "./inpaint.js";
import { inpaintInput, latentSide, runtimeWith, testLatent } from "./test-inputs.js";

const cells = latentSide * latentSide;

describe.each(["sde", "ode"] as const)("runInpaint (%s)", (sampler) => {
  it.each([1, 0.6])(
    "from t0 = %s keeps the kept region at a_s x0 + c_s z (one fixed z) and ends on the input",
    async (t0) => {
      const input = inpaintInput({ sampler, t0 });
      const x0 = input.latent.data;
      const z = new GaussianRng(1234).fill(new Float32Array(x0.length));
      const levels = stepGrid(input.steps, t0).levels;
      const seen: Float32Array[] = [];
      const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) =>
        seen.push(Float32Array.from(batch.latents.data.subarray(0, x0.length))),
      );
      const output = await runInpaint(input, runtimeWith(spy));

      expect(seen.length).toBe(stepsFromT0(input.steps, t0));
      // The start: pure noise z at t0 = 1, the input noised with z otherwise (everywhere, fill region included).
      const [a0, c0] = t0 === 1 ? [0, 1] : [Math.sqrt(abarAt(levels[0]!)), Math.sqrt(1 - abarAt(levels[0]!))];
      let startError = 0;
      for (let i = 0; i < x0.length; i++)
        startError = Math.max(startError, Math.abs(seen[0]![i]! - (a0 * x0[i]! + c0 * z[i]!)));
      expect(startError).toBeLessThan(1e-6);
      let keptError = 0;
      for (let k = 1; k < seen.length; k++) {
        const [a, c] = [Math.sqrt(abarAt(levels[k]!)), Math.sqrt(1 - abarAt(levels[k]!))];
        for (let i = 0; i < x0.length; i++) {
          if (input.mask[i % cells] === 0)
            keptError = Math.max(keptError, Math.abs(seen[k]![i]! - (a * x0[i]! + c * z[i]!)));
        }
      }
      expect(keptError).toBeLessThan(1e-6);
      let [keptChanged, filled] = [0, 0];
      for (let i = 0; i < x0.length; i++) {
        if (input.mask[i % cells] === 0) keptChanged += output.data[i] === x0[i] ? 0 : 1;
        else if (Math.abs(output.data[i]! - x0[i]!) > 1e-3) filled++;
      }
      expect(keptChanged).toBe(0);
      expect(filled).toBeGreaterThan(0);
    },
  );

  it("calls the model once per step: batch 2 [uncond, cond] with guidance, batch 1 without", async () => {
    const guided = new PredictorSpy(new WavyNoisePredictor());
    await runInpaint(inpaintInput({ sampler }), runtimeWith(guided));
    expect(guided.calls.map((c) => c.timesteps[0])).toEqual(stepGrid(50, 1).levels.slice(0, -1));
    expect(guided.calls.every((c) => c.batchSize === 2 && c.prompts.join() === ",a red door")).toBe(true);
    const plain = new PredictorSpy(new WavyNoisePredictor());
    await runInpaint(inpaintInput({ sampler, guidance: 1 }), runtimeWith(plain));
    expect(plain.calls.length).toBe(50);
    expect(plain.calls.every((c) => c.batchSize === 1 && c.prompts[0] === "a red door")).toBe(true);
  });
});

describe("runInpaint with a 9-channel inpainting UNet", () => {
  it("passes [mask, input latent with the fill region zeroed] with every item when no masked-image latent is given", async () => {
    const input = inpaintInput({ steps: 5 });
    const spy = new PredictorSpy(new WavyNoisePredictor(9));
    await runInpaint(input, runtimeWith(spy));
    const expected = new Float32Array(5 * cells);
    expected.set(input.mask);
    for (let i = 0; i < 4 * cells; i++) expected[cells + i] = input.latent.data[i]! * (1 - input.mask[i % cells]!);
    expect(spy.calls.length).toBe(5);
    for (const call of spy.calls) expect(call.inpaintChannels).toEqual(Float32Array.from([...expected, ...expected]));
  });

  it("passes the caller's masked-image latent when given", async () => {
    const maskedImageLatent = testLatent(7);
    const input = inpaintInput({ maskedImageLatent, guidance: 1, steps: 5 });
    const spy = new PredictorSpy(new WavyNoisePredictor(9));
    await runInpaint(input, runtimeWith(spy));
    expect(spy.calls[0]!.inpaintChannels).toEqual(Float32Array.from([...input.mask, ...maskedImageLatent.data]));
  });

  it("leaves the 4-channel path without extra channels", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor(4));
    await runInpaint(inpaintInput({ steps: 3 }), runtimeWith(spy));
    expect(spy.calls.every((c) => c.inpaintChannels === undefined)).toBe(true);
  });
});

describe("runInpaint validation", () => {
  it("rejects a mask of another size with mask_size_mismatch", async () => {
    await expect(
      runInpaint(inpaintInput({ mask: new Float32Array(32 * 31) }), runtimeWith(new WavyNoisePredictor())),
    ).rejects.toMatchObject({
      code: "mask_size_mismatch",
      message: "mask has 992 cells; the latent is 32x32 = 1024 cells",
    });
  });

  it("rejects mask values outside [0, 1] with mask_invalid", async () => {
    const mask = new Float32Array(cells);
    mask[7] = 255;
    await expect(runInpaint(inpaintInput({ mask }), runtimeWith(new WavyNoisePredictor()))).rejects.toMatchObject({
      code: "mask_invalid",
      message: "mask cell 7 is 255; mask values must be in [0, 1]",
    });
  });
});
