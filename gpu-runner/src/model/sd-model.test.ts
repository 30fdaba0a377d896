import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { combineGuidance } from "../diffusion/guidance.js";
import { latents } from "../diffusion/latents.js";
import type { NoiseBatch } from "../diffusion/noise-predictor.js";
import { JobFailure } from "../job-failure.js";
import { closeSdModels, loadSdModel, type SdModel } from "./sd-model.js";
import { floatTensor, floatValues } from "./tensor-io.js";
import { seededWeights } from "./tiny/seeded-weights.js";
import { tinyModelSpecs } from "./tiny/tiny-model-spec.js";
import { ensureTinyModels } from "./tiny/write-tiny-model.js";
import { WorkerInferenceClient } from "./worker-inference-client.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-sd-model-"));
  await ensureTinyModels(root);
});
afterAll(async () => {
  await closeSdModels();
  await rm(root, { recursive: true, force: true });
});

const [h, w] = [6, 5];
const random = seededWeights(11);

/** A random batch; for a 9-channel UNet with random [mask, masked latent] channels too. */
function batchOf(
  channels: number,
  items: number,
  timesteps: number[],
  conditions: NoiseBatch["conditions"],
): NoiseBatch {
  return {
    latents: latents([items, 4, h, w], random(items * 4 * h * w, 1)),
    timesteps,
    conditions,
    ...(channels === 9 ? { inpaintChannels: latents([items, 5, h, w], random(items * 5 * h * w, 1)) } : {}),
  };
}

function itemOf(batch: NoiseBatch, item: number): NoiseBatch {
  const size = 4 * h * w;
  return {
    latents: latents([1, 4, h, w], batch.latents.data.slice(item * size, (item + 1) * size)),
    timesteps: [batch.timesteps[item]!],
    conditions: [batch.conditions[item]!],
    ...(batch.inpaintChannels
      ? {
          inpaintChannels: latents(
            [1, 5, h, w],
            batch.inpaintChannels.data.slice(item * 5 * h * w, (item + 1) * 5 * h * w),
          ),
        }
      : {}),
  };
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe.each(tinyModelSpecs)("generated model $name", (spec) => {
  let model: SdModel;
  beforeAll(async () => {
    model = await loadSdModel(join(root, spec.name), { executionProvider: "cpu" });
  });

  it("reads the UNet's channels from its metadata", () => {
    expect(model.predictor.unetInputChannels).toBe(spec.unetInputChannels);
    expect(model.executionProvider).toBe("cpu");
  });

  it("gives each item of a batch what it gives that item alone, with mixed timesteps and prompts", async () => {
    const cat = await model.predictor.encodePrompt("a photo of a cat");
    const empty = await model.predictor.encodePrompt("");
    const batch = batchOf(spec.unetInputChannels, 4, [500, 500, 120, 999], [empty, cat, cat, empty]);
    const eps = await model.predictor.predictNoise(batch);
    expect(eps.length).toBe(4 * 4 * h * w);
    const tolerance = spec.precision === "float16" ? 2e-3 : 1e-5;
    for (let item = 0; item < 4; item++) {
      const alone = await model.predictor.predictNoise(itemOf(batch, item));
      expect(maxAbsDifference(eps.subarray(item * 4 * h * w, (item + 1) * 4 * h * w), alone)).toBeLessThan(tolerance);
    }
  });

  it("folds guidance into (uncond, cond) pairs with the bytes of predictNoise then combineGuidance", async () => {
    const cat = await model.predictor.encodePrompt("a photo of a cat");
    const empty = await model.predictor.encodePrompt("");
    const batch = batchOf(spec.unetInputChannels, 4, [700, 700, 300, 300], [empty, cat, empty, cat]);
    const eps = await model.predictor.predictNoise(batch);
    const size = 4 * h * w;
    const expected = [0, 1].map((pair) => {
      const e = new Float32Array(size);
      combineGuidance(e, eps, 2 * pair * size, (2 * pair + 1) * size, 4.5);
      return e;
    });
    const out = [new Float32Array(size), new Float32Array(size)];
    await model.predictor.predictGuidedNoise!(batch, 4.5, out);
    expect(out.map((e) => Buffer.from(e.buffer))).toEqual(expected.map((e) => Buffer.from(e.buffer)));
    const split = { ...batch, timesteps: [700, 600, 300, 300] };
    await expect(model.predictor.predictGuidedNoise!(split, 4.5, out)).rejects.toThrow(/two timesteps/);
  });

  it("uses the timestep and the prompt", async () => {
    const cat = await model.predictor.encodePrompt("a photo of a cat");
    const dog = await model.predictor.encodePrompt("a photo of a dog");
    const base = batchOf(spec.unetInputChannels, 1, [400], [cat]);
    const eps = await model.predictor.predictNoise(base);
    const laterStep = await model.predictor.predictNoise({ ...base, timesteps: [800] });
    const otherPrompt = await model.predictor.predictNoise({ ...base, conditions: [dog] });
    expect(maxAbsDifference(eps, laterStep)).toBeGreaterThan(1e-2);
    expect(maxAbsDifference(eps, otherPrompt)).toBeGreaterThan(1e-3);
  });

  it("encodes to the scaled latent mean and decodes back close to the input", async () => {
    // An image that is constant on each 8x8 patch lies (nearly) in the span the tiny VAE keeps.
    const [width, height] = [24, 16];
    const image = new Float32Array(3 * width * height);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          image[c * width * height + y * width + x] =
            Math.sin(c + Math.floor(x / 8) * 1.3 + Math.floor(y / 8) * 0.7) * 0.8;
        }
      }
    }
    const latent = await model.vae.encode({ data: image, width, height });
    expect(latent.shape).toEqual([1, 4, 2, 3]);
    // The same image through the bare encoder session: the codec keeps the mean (first 4 channels), scaled.
    const raw = new WorkerInferenceClient();
    const session = await raw.load("vae_encoder", join(root, spec.name, "vae_encoder/model.onnx"), {
      executionProvider: "cpu",
    });
    const input = session.signature.inputs[0]!;
    const output = session.signature.outputs[0]!;
    const outputs = await raw.run("vae_encoder", { sample: floatTensor(image, [1, 3, height, width], input) });
    await raw.close();
    const mean = floatValues(outputs[output.name], output.name).slice(0, 4 * 2 * 3);
    expect(outputs[output.name]?.dims[1]).toBe(spec.vaeEncoderOutput === "latent_parameters" ? 8 : 4);
    expect(
      maxAbsDifference(
        latent.data,
        mean.map((v) => v * 0.18215),
      ),
    ).toBeLessThan(1e-6);
    const decoded = await model.vae.decode(latent);
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(maxAbsDifference(decoded.data, image)).toBeLessThan(spec.precision === "float16" ? 1e-2 : 1e-4);
  });

  it("rejects a prompt past 77 tokens with prompt_too_long", async () => {
    const encoding = model.predictor.encodePrompt(Array(80).fill("cat").join(" "));
    await expect(encoding).rejects.toMatchObject({ code: "prompt_too_long" });
  });
});

describe("loadSdModel", () => {
  it("loads a folder once per process and reuses it", async () => {
    const first = await loadSdModel(join(root, "sd15-fp32"));
    const again = await loadSdModel(join(root, "sd15-fp32", "..", "sd15-fp32"));
    expect(again).toBe(first);
  });

  it("gives a 9-channel UNet call without mask channels a clear failure", async () => {
    const model = await loadSdModel(join(root, "inpaint-fp32"));
    const cat = await model.predictor.encodePrompt("a cat");
    const { inpaintChannels: _, ...withoutMask } = batchOf(9, 1, [400], [cat]);
    await expect(model.predictor.predictNoise(withoutMask)).rejects.toMatchObject({ code: "invalid_parameters" });
  });

  it("names every missing part of an unknown folder layout", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stochedit-layout-"));
    await cp(join(root, "sd15-fp32"), dir, { recursive: true });
    await rm(join(dir, "unet"), { recursive: true });
    await rm(join(dir, "tokenizer/merges.txt"));
    const loading = loadSdModel(dir);
    await expect(loading).rejects.toBeInstanceOf(JobFailure);
    await expect(loading).rejects.toMatchObject({ code: "model_not_found" });
    await expect(loading).rejects.toThrow(/lacks unet\/model\.onnx, tokenizer\/merges\.txt/);
    await rm(dir, { recursive: true, force: true });
  });

  it("says when the folder does not exist", async () => {
    await expect(loadSdModel(join(root, "nothing-here"))).rejects.toThrow(/nothing-here does not exist/);
  });

  it("refuses a scheduler the samplers do not implement (v-prediction)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stochedit-vpred-"));
    await cp(join(root, "sd15-fp32"), dir, { recursive: true });
    await writeFile(join(dir, "scheduler/scheduler_config.json"), JSON.stringify({ prediction_type: "v_prediction" }));
    await expect(loadSdModel(dir)).rejects.toThrow(/scheduler_config\.json is not supported: prediction_type/);
    await rm(dir, { recursive: true, force: true });
  });
});
