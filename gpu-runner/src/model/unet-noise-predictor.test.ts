import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latents } from "../diffusion/latents.js";
import { InThreadInferenceClient } from "./in-thread-inference-client.js";
import type { InferenceClient, LoadedSession } from "./inference-client.js";
import { OnnxGraph } from "./tiny/onnx-graph.js";
import { UnetNoisePredictor } from "./unet-noise-predictor.js";
import { WorkerInferenceClient } from "./worker-inference-client.js";

const hiddenSize = 8;

/** A UNet's signature whose out_sample is the sample itself, or (`rows`) only that many of its rows. */
function passThroughUnet(rows?: number): Uint8Array {
  const g = new OnnxGraph("pass_through_unet");
  const sample = g.input("sample", "float32", ["batch", 4, "height", "width"]);
  g.input("timestep", "float32", []);
  g.input("encoder_hidden_states", "float32", ["batch", "sequence", hiddenSize]);
  if (rows === undefined) g.node("Identity", [sample], {}, "out_sample");
  else g.node("Slice", [sample, g.ints([0]), g.ints([rows]), g.ints([2])], {}, "out_sample");
  g.output("out_sample", "float32", ["batch", 4, "height", "width"]);
  return g.build();
}

const encodeEmbedding = async () => ({ data: new Float32Array(77 * hiddenSize), sequenceLength: 77, hiddenSize });

describe.each([
  ["sessions in a worker thread", () => new WorkerInferenceClient()],
  ["sessions on the caller's thread", () => new InThreadInferenceClient()],
] as const)("UnetNoisePredictor, %s", (_, newClient: () => InferenceClient) => {
  let dir: string;
  const client = newClient();
  const load = async (name: string): Promise<UnetNoisePredictor> => {
    const session: LoadedSession = await client.load(name, join(dir, `${name}.onnx`), { executionProvider: "cpu" });
    return new UnetNoisePredictor(client, session, encodeEmbedding);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "stochedit-unet-"));
    await writeFile(join(dir, "whole.onnx"), passThroughUnet());
    await writeFile(join(dir, "short.onnx"), passThroughUnet(2));
  });
  afterAll(async () => {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  });

  const batchOf = async (predictor: UnetNoisePredictor) => {
    const condition = await predictor.encodePrompt("a cat");
    const data = Float32Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => i / 7);
    return { latents: latents([2, 4, 4, 4], data), timesteps: [500, 500], conditions: [condition, condition] };
  };

  it("feeds the batch and reads the output, call after call", async () => {
    const predictor = await load("whole");
    for (let call = 0; call < 3; call++) {
      const batch = await batchOf(predictor);
      batch.latents.data[call] = 100 + call;
      expect(await predictor.predictNoise(batch)).toEqual(batch.latents.data);
    }
  });

  it("fails with a model_error when the output does not hold the batch's values", async () => {
    const predictor = await load("short");
    // Checked where the output lands: the worker's buffer for it, or the predictor reading the session's own array.
    await expect(predictor.predictNoise(await batchOf(predictor))).rejects.toMatchObject({
      code: "model_error",
      message: expect.stringMatching(/output out_sample (holds|returned) 64 (float32 )?values/),
    });
  });
});
