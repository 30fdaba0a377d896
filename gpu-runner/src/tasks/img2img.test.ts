import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { abarAt } from "../diffusion/schedule.js";
import { stepGrid } from "../diffusion/step-grid.js";
import { PredictorSpy, WavyNoisePredictor } from "../diffusion/test-predictors.js";
import { runImg2Img } from "./img2img.js";
import { img2imgInput, runtimeWith } from "./test-inputs.js";

describe.each(["sde", "ode"] as const)("runImg2Img (%s)", (sampler) => {
  it("noises the input to t0 with the job's first draws, then calls the model once per step from t0 down", async () => {
    const input = img2imgInput({ sampler });
    const x0 = input.latent.data;
    let first: Float32Array | undefined;
    const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) => {
      first ??= Float32Array.from(batch.latents.data.subarray(0, x0.length));
    });
    await runImg2Img(input, runtimeWith(spy));
    const levels = stepGrid(50, 0.6).levels;
    expect(spy.calls.map((c) => c.timesteps)).toEqual(levels.slice(0, -1).map((t) => [t, t]));
    expect(spy.calls.every((c) => c.prompts.join() === ",an oil painting")).toBe(true);
    const z = new GaussianRng(1234).fill(new Float32Array(x0.length));
    const [a, c] = [Math.sqrt(abarAt(levels[0]!)), Math.sqrt(1 - abarAt(levels[0]!))];
    let worst = 0;
    for (let i = 0; i < x0.length; i++) worst = Math.max(worst, Math.abs(first![i]! - (a * x0[i]! + c * z[i]!)));
    expect(worst).toBeLessThan(1e-6);
  });

  it("runs only the conditional pass at guidance 1", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor());
    await runImg2Img(img2imgInput({ sampler, guidance: 1 }), runtimeWith(spy));
    expect(spy.encodedPrompts).toEqual(["an oil painting"]);
    expect(spy.calls.every((c) => c.batchSize === 1)).toBe(true);
  });
});

describe("runImg2Img", () => {
  it("differs between SDE and ODE from the same start (the SDE adds fresh noise each step)", async () => {
    const predictor = new WavyNoisePredictor();
    const sde = await runImg2Img(img2imgInput({ sampler: "sde" }), runtimeWith(predictor));
    const ode = await runImg2Img(img2imgInput({ sampler: "ode" }), runtimeWith(predictor));
    expect(sde.data).not.toEqual(ode.data);
  });

  it("rejects a 9-channel inpainting UNet", async () => {
    await expect(runImg2Img(img2imgInput(), runtimeWith(new WavyNoisePredictor(9)))).rejects.toMatchObject({
      code: "invalid_parameters",
      message: "the model's UNet takes 9 input channels; img2img needs a 4-channel UNet",
    });
  });
});
