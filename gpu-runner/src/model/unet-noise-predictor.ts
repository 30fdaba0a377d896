/** @module unet-noise-predictor: the NoisePredictor backed by an SD UNet session (4- or 9-channel, any exporter). */
import type { Latents } from "../diffusion/latents.js";
import type { Condition, NoiseBatch, NoisePredictor } from "../diffusion/noise-predictor.js";
import { JobFailure } from "../job-failure.js";
import type { InferenceClient, LoadedSession } from "./inference-client.js";
import type { PromptEmbedding, PromptEncoder } from "./prompt-encoder.js";
import { findTensor, floatTensor, floatValues, numberTensor } from "./tensor-io.js";
import type { TensorSpec } from "./tensor-payload.js";

const latentChannels = 4;

/**
 * Runs the UNet on each batch exactly as given (the tasks already stack guidance branches and Cycle-SDE pairs).
 * The timestep input is a scalar in current optimum exports and [batch] in older ones: with a scalar (or a
 * fixed [1]), items with different timesteps go in separate runs.
 */
export class UnetNoisePredictor implements NoisePredictor {
  readonly unetInputChannels: 4 | 9;
  private readonly embeddings = new WeakMap<Condition, PromptEmbedding>();
  private readonly sample: TensorSpec;
  private readonly timestep: TensorSpec;
  private readonly hiddenStates: TensorSpec;
  private readonly output: TensorSpec;
  private readonly timestepPerItem: boolean;

  constructor(
    private readonly client: InferenceClient,
    private readonly session: LoadedSession,
    private readonly encodeEmbedding: PromptEncoder,
    configInChannels?: number,
  ) {
    const signature = session.signature;
    this.sample = findTensor(signature, "inputs", ["sample"], "unet");
    this.timestep = findTensor(signature, "inputs", ["timestep", "timesteps"], "unet");
    this.hiddenStates = findTensor(signature, "inputs", ["encoder_hidden_states"], "unet");
    this.output = findTensor(signature, "outputs", ["out_sample"], "unet");
    const channels = typeof this.sample.shape[1] === "number" ? this.sample.shape[1] : configInChannels;
    if (channels !== 4 && channels !== 9) {
      throw new JobFailure(
        "model_not_found",
        `unet input sample has ${channels ?? "an unknown number of"} channels; 4 (SD) or 9 (SD inpainting) expected`,
      );
    }
    this.unetInputChannels = channels;
    const timestepDim = this.timestep.shape[0];
    this.timestepPerItem = this.timestep.shape.length === 1 && timestepDim !== 1;
  }

  async encodePrompt(prompt: string): Promise<Condition> {
    const embedding = await this.encodeEmbedding(prompt);
    // The condition is an opaque handle; the embedding stays here, keyed by it.
    const condition = Object.freeze({}) as Condition;
    this.embeddings.set(condition, embedding);
    return condition;
  }

  async predictNoise(batch: NoiseBatch): Promise<Float32Array> {
    const [items, , height, width] = batch.latents.shape;
    if (batch.timesteps.length !== items || batch.conditions.length !== items) {
      throw new RangeError(`a batch of ${items} latents needs ${items} timesteps and conditions`);
    }
    const groups = this.timestepPerItem ? [range(items)] : groupByTimestep(batch.timesteps);
    const eps = new Float32Array(items * latentChannels * height * width);
    for (const group of groups) {
      const groupEps = await this.runGroup(batch, group);
      const itemSize = latentChannels * height * width;
      group.forEach((item, i) => {
        eps.set(groupEps.subarray(i * itemSize, (i + 1) * itemSize), item * itemSize);
      });
    }
    return eps;
  }

  private async runGroup(batch: NoiseBatch, items: readonly number[]): Promise<Float32Array> {
    const [, channels, height, width] = batch.latents.shape;
    const pixels = height * width;
    const inChannels = this.unetInputChannels;
    const sample = new Float32Array(items.length * inChannels * pixels);
    items.forEach((item, i) => {
      sample.set(
        batch.latents.data.subarray(item * channels * pixels, (item + 1) * channels * pixels),
        i * inChannels * pixels,
      );
      if (inChannels === 9) {
        sample.set(inpaintChannels(batch.inpaintChannels, item, pixels), (i * inChannels + channels) * pixels);
      }
    });

    const embeddings = items.map((item) => this.embeddingOf(batch.conditions[item]!));
    const { sequenceLength, hiddenSize } = embeddings[0]!;
    const hidden = new Float32Array(items.length * sequenceLength * hiddenSize);
    embeddings.forEach((embedding, i) => {
      hidden.set(embedding.data, i * sequenceLength * hiddenSize);
    });

    const timesteps = items.map((item) => batch.timesteps[item]!);
    const timestepDims = this.timestep.shape.length === 0 ? [] : [this.timestepPerItem ? items.length : 1];
    const timestepValues = this.timestepPerItem ? timesteps : [timesteps[0]!];

    const outputs = await this.client.run(
      this.session.name,
      {
        [this.sample.name]: floatTensor(sample, [items.length, inChannels, height, width], this.sample),
        [this.timestep.name]: numberTensor(timestepValues, timestepDims, this.timestep),
        [this.hiddenStates.name]: floatTensor(hidden, [items.length, sequenceLength, hiddenSize], this.hiddenStates),
        // Every feed was built for this call: move it to the worker instead of copying it.
      },
      { transferFeeds: true },
    );
    return floatValues(outputs[this.output.name], this.output.name);
  }

  private embeddingOf(condition: Condition): PromptEmbedding {
    const embedding = this.embeddings.get(condition);
    if (!embedding) throw new Error("a condition from another model's encodePrompt was passed to this UNet");
    return embedding;
  }
}

/** The 5 extra channels of an inpainting UNet for one item: [mask, masked-image latent]. */
function inpaintChannels(extra: Latents | undefined, item: number, pixels: number): Float32Array {
  if (!extra) {
    throw new JobFailure(
      "invalid_parameters",
      "this model's UNet inpaints (9 channels) and needs a mask with every call",
    );
  }
  return extra.data.subarray(item * 5 * pixels, (item + 1) * 5 * pixels);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** Item indices grouped by equal timestep, in order of first appearance. */
function groupByTimestep(timesteps: readonly number[]): number[][] {
  const groups = new Map<number, number[]>();
  timesteps.forEach((t, item) => {
    const group = groups.get(t);
    if (group) group.push(item);
    else groups.set(t, [item]);
  });
  return [...groups.values()];
}
