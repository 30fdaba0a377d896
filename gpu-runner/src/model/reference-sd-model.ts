/**
 * @module reference-sd-model: for tests, the model I/O as it was before issue 16 (commit 1f29564), kept plain: the
 * sessions on this thread, every input packed and converted on every call, one value at a time (the previous
 * encoder), outputs decoded with fromHalfBits. The fast path (worker, shared buffers, constants) must give its bytes.
 */
import * as ort from "onnxruntime-node";
import type { Latents } from "../diffusion/latents.js";
import type { Condition, NoiseBatch, NoisePredictor } from "../diffusion/noise-predictor.js";
import { createClipTokenizer } from "./clip-tokenizer.js";
import { fromHalfBits } from "./float16.js";
import { referenceToHalfBits } from "./float16-reference.js";
import { readModelFolder } from "./model-folder.js";
import type { SdModel } from "./sd-model.js";
import type { VaeCodec } from "./vae-codec.js";

const latentChannels = 4;

/** The same session options as the inference worker's on the CPU, so that ONNX Runtime computes the same. */
const sessionOptions: ort.InferenceSession.SessionOptions = {
  executionProviders: ["cpu"],
  graphOptimizationLevel: "all",
  extra: { session: { intra_op: { allow_spinning: "0" } } },
};

export async function loadReferenceSdModel(dir: string): Promise<SdModel> {
  const folder = await readModelFolder(dir);
  const session = (path: string) => ort.InferenceSession.create(path, sessionOptions);
  const textEncoder = await session(folder.textEncoderPath);
  const unet = await session(folder.unetPath);
  const vaeEncoder = await session(folder.vaeEncoderPath);
  const vaeDecoder = await session(folder.vaeDecoderPath);
  const tokenizer = createClipTokenizer({
    vocab: folder.vocab,
    merges: folder.merges,
    ...(folder.padToken === undefined ? {} : { padToken: folder.padToken }),
  });
  const scale = folder.vaeScaleFactor;
  const embeddings = new WeakMap<Condition, { data: Float32Array; dims: readonly number[] }>();
  const sampleMetadata = inputMetadata(unet, "sample");
  const inChannels = sampleMetadata.shape[1] as 4 | 9;
  const timestepMetadata = inputMetadata(unet, "timestep");
  const timestepPerItem = timestepMetadata.shape.length === 1;

  const predictor: NoisePredictor = {
    unetInputChannels: inChannels,
    async encodePrompt(prompt) {
      const ids = tokenizer.encode(prompt);
      const input = inputMetadata(textEncoder, "input_ids");
      const data =
        input.type === "int64" ? BigInt64Array.from(ids, (id) => BigInt(id)) : Int32Array.from(ids, (id) => id);
      const outputs = await textEncoder.run({ input_ids: new ort.Tensor(input.type, data, [1, ids.length]) });
      const hiddenState = outputs.last_hidden_state as ort.Tensor;
      const condition = Object.freeze({}) as Condition;
      embeddings.set(condition, { data: floats(hiddenState), dims: hiddenState.dims });
      return condition;
    },
    async predictNoise(batch: NoiseBatch) {
      const [items, channels, height, width] = batch.latents.shape;
      const pixels = height * width;
      const eps = new Float32Array(items * latentChannels * pixels);
      for (const group of timestepPerItem ? [[...batch.timesteps.keys()]] : groupByTimestep(batch.timesteps)) {
        const sample = new Float32Array(group.length * inChannels * pixels);
        group.forEach((item, i) => {
          sample.set(
            batch.latents.data.subarray(item * channels * pixels, (item + 1) * channels * pixels),
            i * inChannels * pixels,
          );
          const extra = batch.inpaintChannels?.data.subarray(item * 5 * pixels, (item + 1) * 5 * pixels);
          if (inChannels === 9 && extra) sample.set(extra, (i * inChannels + channels) * pixels);
        });
        const prompts = group.map((item) => embeddings.get(batch.conditions[item]!)!);
        const [, sequence = 0, hiddenSize = 0] = prompts[0]!.dims;
        const hidden = new Float32Array(prompts.length * sequence * hiddenSize);
        prompts.forEach((embedding, i) => {
          hidden.set(embedding.data, i * sequence * hiddenSize);
        });
        const hiddenType = inputMetadata(unet, "encoder_hidden_states").type;
        const timesteps = group.map((item) => batch.timesteps[item]!);
        const outputs = await unet.run({
          sample: floatTensor(sampleMetadata.type, sample, [group.length, inChannels, height, width]),
          timestep: timestepPerItem
            ? new ort.Tensor(
                "int64",
                BigInt64Array.from(timesteps, (t) => BigInt(Math.round(t))),
                [group.length],
              )
            : floatTensor(timestepMetadata.type, Float32Array.of(timesteps[0]!), []),
          encoder_hidden_states: floatTensor(hiddenType, hidden, [group.length, sequence, hiddenSize]),
        });
        const groupEps = floats(outputs.out_sample as ort.Tensor);
        const itemSize = latentChannels * pixels;
        group.forEach((item, i) => {
          eps.set(groupEps.subarray(i * itemSize, (i + 1) * itemSize), item * itemSize);
        });
      }
      return eps;
    },
  };

  const vae: VaeCodec = {
    async encode(image) {
      const type = inputMetadata(vaeEncoder, "sample").type;
      const outputs = await vaeEncoder.run({
        sample: floatTensor(type, image.data, [1, 3, image.height, image.width]),
      });
      const output = (outputs.latent_parameters ?? outputs.latent_sample) as ort.Tensor;
      const [, , h = 0, w = 0] = output.dims;
      const mean = floats(output).slice(0, latentChannels * h * w);
      for (let i = 0; i < mean.length; i++) mean[i]! *= scale;
      return { data: mean, shape: [1, latentChannels, h, w] } satisfies Latents;
    },
    async decode(latent) {
      const [, , h, w] = latent.shape;
      const type = inputMetadata(vaeDecoder, "latent_sample").type;
      const unscaled = latent.data.map((v) => v / scale);
      const outputs = await vaeDecoder.run({ latent_sample: floatTensor(type, unscaled, [1, latentChannels, h, w]) });
      const image = floats(outputs.sample as ort.Tensor).map((v) => Math.min(1, Math.max(-1, v)));
      return { data: image, width: w * 8, height: h * 8 };
    },
  };

  const sessions = [textEncoder, unet, vaeEncoder, vaeDecoder];
  return {
    dir: folder.dir,
    predictor,
    vae,
    executionProvider: "cpu",
    description: `reference model ${folder.dir}`,
    sessionThread: "main",
    alive: true,
    timings: () => new Map(),
    close: async () => {
      await Promise.all(sessions.map((session) => session.release()));
    },
  };
}

function inputMetadata(session: ort.InferenceSession, name: string) {
  const metadata = session.inputMetadata.find((input) => input.name === name);
  if (!metadata?.isTensor) throw new Error(`the reference model expects an input named ${name}`);
  return { type: metadata.type as "float32" | "float16" | "int64" | "int32", shape: metadata.shape };
}

function floatTensor(type: string, values: Float32Array, dims: number[]): ort.Tensor {
  return type === "float16"
    ? new ort.Tensor("float16", Uint16Array.from(values, referenceToHalfBits), dims)
    : new ort.Tensor("float32", Float32Array.from(values), dims);
}

function floats(tensor: ort.Tensor): Float32Array {
  return tensor.type === "float16"
    ? Float32Array.from(tensor.data as Uint16Array, fromHalfBits)
    : Float32Array.from(tensor.data as Float32Array);
}

function groupByTimestep(timesteps: readonly number[]): number[][] {
  const groups = new Map<number, number[]>();
  timesteps.forEach((t, item) => {
    groups.set(t, [...(groups.get(t) ?? []), item]);
  });
  return [...groups.values()];
}
