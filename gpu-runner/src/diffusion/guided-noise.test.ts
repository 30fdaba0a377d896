import { describe, expect, it } from "vitest";
import { GuidedNoise } from "./guided-noise.js";
import { latents } from "./latents.js";
import type { NoisePredictor } from "./noise-predictor.js";
import { PredictorSpy, WavyNoisePredictor } from "./test-predictors.js";

const shape = [1, 4, 2, 3] as const;
const itemSize = 24;
const x = Float32Array.from({ length: itemSize }, (_, i) => i / 10);
const rec = Float32Array.from({ length: itemSize }, (_, i) => -i / 7);

async function setup(guided: boolean, branches: number) {
  const seen: Float32Array[] = [];
  const spy = new PredictorSpy(new WavyNoisePredictor(), (batch) => seen.push(Float32Array.from(batch.latents.data)));
  const cond = await spy.encodePrompt("a cat");
  const uncond = guided ? await spy.encodePrompt("") : undefined;
  const noise = new GuidedNoise({ predictor: spy, conditions: { cond, uncond }, itemShape: shape, branches });
  return { spy, noise, seen, cond, uncond };
}

async function wavy(latent: Float32Array, level: number, prompt: string): Promise<Float32Array> {
  const predictor = new WavyNoisePredictor();
  const condition = await predictor.encodePrompt(prompt);
  return predictor.predictNoise({ latents: latents(shape, latent), timesteps: [level], conditions: [condition] });
}

describe("GuidedNoise", () => {
  it("batches x and rec as [x, x, rec, rec] x [uncond, cond] in one call and folds in the guidance", async () => {
    const { spy, noise, seen } = await setup(true, 2);
    expect(noise.batchSize).toBe(4);
    const [e, eRec] = await noise.predict([x, rec], 599, 3);
    expect(spy.calls).toEqual([
      {
        batchSize: 4,
        timesteps: [599, 599, 599, 599],
        prompts: ["", "a cat", "", "a cat"],
        inpaintChannels: undefined,
      },
    ]);
    expect(seen[0]).toEqual(Float32Array.from([...x, ...x, ...rec, ...rec]));
    for (const [branch, latent] of [
      [e!, x],
      [eRec!, rec],
    ] as const) {
      const [eu, ec] = [await wavy(latent, 599, ""), await wavy(latent, 599, "a cat")];
      for (let i = 0; i < itemSize; i++) expect(branch[i]).toBeCloseTo(eu[i]! + 3 * (ec[i]! - eu[i]!), 6);
    }
  });

  it("runs only the conditional pass without an unconditional condition: the batch halves", async () => {
    const { spy, noise } = await setup(false, 2);
    expect(noise.batchSize).toBe(2);
    const [e, eRec] = await noise.predict([x, rec], 10, 1);
    expect(spy.calls[0]).toMatchObject({ batchSize: 2, prompts: ["a cat", "a cat"] });
    expect(e).toEqual(await wavy(x, 10, "a cat"));
    expect(eRec).toEqual(await wavy(rec, 10, "a cat"));
  });

  it("repeats a 9-channel UNet's extra channels for every item", async () => {
    const spy = new PredictorSpy(new WavyNoisePredictor(9));
    const cond = await spy.encodePrompt("p");
    const uncond = await spy.encodePrompt("");
    const extra = latents(
      [1, 5, 2, 3],
      Float32Array.from({ length: 30 }, (_, i) => i),
    );
    const noise = new GuidedNoise({
      predictor: spy,
      conditions: { cond, uncond },
      itemShape: shape,
      branches: 1,
      inpaintChannels: extra,
    });
    await noise.predict([x], 5, 2);
    expect(spy.calls[0]!.inpaintChannels).toEqual(Float32Array.from([...extra.data, ...extra.data]));
  });

  it("throws a RangeError naming the sizes when a predictor breaks its contract (the wrong number of values)", async () => {
    const broken: NoisePredictor = {
      unetInputChannels: 4,
      encodePrompt: async () => new WavyNoisePredictor().encodePrompt(""),
      predictNoise: async () => new Float32Array(5),
    };
    const noise = new GuidedNoise({
      predictor: broken,
      conditions: { cond: await broken.encodePrompt("") },
      itemShape: shape,
      branches: 1,
    });
    const failure = await noise.predict([x], 5, 1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RangeError);
    expect(failure).toMatchObject({ message: "the noise predictor returned 5 values for a batch of 24" });
  });
});
