/** @module unet-noise-predictor: the NoisePredictor backed by an SD UNet session (4- or 9-channel, any exporter). */
import { combineGuidance, combineGuidanceHalves } from "../diffusion/guidance.js";
import type { Latents } from "../diffusion/latents.js";
import type { Condition, NoiseBatch, NoisePredictor } from "../diffusion/noise-predictor.js";
import { JobFailure } from "../job-failure.js";
import { halfValues } from "./float16.js";
import type { InferenceClient, LoadedSession } from "./inference-client.js";
import type { PromptEmbedding, PromptEncoder } from "./prompt-encoder.js";
import { RecentCache } from "./recent-cache.js";
import {
  emptyFloatTensor,
  type FloatData,
  findTensor,
  floatTensor,
  numberTensor,
  readFloats,
  writeFloats,
} from "./tensor-io.js";
import type { TensorPayload, TensorSpec } from "./tensor-payload.js";

const latentChannels = 4;

/** A prompt encoded by this UNet's text encoder; the id names it in the key of a batch's hidden states. */
interface EncodedPrompt {
  readonly id: number;
  readonly embedding: PromptEmbedding;
}

/**
 * One run's sample and output buffers, made for a batch shape and reused by later runs of it. The output buffer is
 * shared memory that a worker writes the output into; sessions on this thread answer their own output array.
 */
interface RunBuffers {
  readonly shape: string;
  readonly sample: TensorPayload & { data: FloatData };
  readonly output: (TensorPayload & { data: FloatData }) | undefined;
}

/**
 * Runs the UNet on each batch exactly as given (the tasks already stack guidance branches and Cycle-SDE pairs).
 * The timestep input is a scalar in current optimum exports and [batch] in older ones: with a scalar (or a
 * fixed [1]), items with different timesteps go in separate runs.
 *
 * Only the latents are converted per call, into a sample buffer that is reused (as is the output's; both shared
 * with the inference worker when the sessions run there): a step allocates nothing. Sessions on this thread take a
 * float32 batch as it is, with no copy, and answer their own output array, read in place. The inputs that stay the
 * same over an edit are converted once: the hidden states of each batch's prompts become a constant feed (the session
 * thread keeps its tensor), and an inpainting UNet's extra channels are kept in the input's element type.
 */
export class UnetNoisePredictor implements NoisePredictor {
  readonly unetInputChannels: 4 | 9;
  private readonly prompts = new WeakMap<Condition, EncodedPrompt>();
  private nextPromptId = 1;
  /** Hidden-states feeds by the prompt ids of their items ("3,4,3,4"): a few concurrent edits' worth. */
  private readonly hiddenStatesFeeds = new RecentCache<string, TensorPayload>(8);
  /** An inpainting UNet's extra channels (the same array for every call of an edit) in the input's element type. */
  private readonly inpaintData = new WeakMap<Float32Array, FloatData>();
  /** Run buffers not in use, by batch shape (concurrent edits take one each). */
  private readonly idleBuffers = new RecentCache<string, RunBuffers[]>(4);
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
    this.prompts.set(condition, { id: this.nextPromptId++, embedding });
    return condition;
  }

  async predictNoise(batch: NoiseBatch): Promise<Float32Array> {
    const [items, , height, width] = batch.latents.shape;
    if (batch.timesteps.length !== items || batch.conditions.length !== items) {
      throw new RangeError(`a batch of ${items} latents needs ${items} timesteps and conditions`);
    }
    const eps = batch.eps ?? new Float32Array(items * latentChannels * height * width);
    if (eps.length !== items * latentChannels * height * width) {
      throw new RangeError(
        `eps for a batch of ${items} latents of ${height}x${width} cannot go in ${eps.length} values`,
      );
    }
    const itemSize = latentChannels * height * width;
    await this.runGroups(batch, (output, items) => {
      items.forEach((item, i) => {
        readFloats(
          output.subarray(i * itemSize, (i + 1) * itemSize),
          eps.subarray(item * itemSize, (item + 1) * itemSize),
        );
      });
    });
    return eps;
  }

  /**
   * The guidance pairs are combined straight from the run's output buffer (half floats read through their table):
   * no eps of the whole batch is written and read again.
   */
  async predictGuidedNoise(batch: NoiseBatch, guidance: number, out: readonly Float32Array[]): Promise<void> {
    const [items, , height, width] = batch.latents.shape;
    const itemSize = latentChannels * height * width;
    if (items !== 2 * out.length || out.some((e) => e.length !== itemSize)) {
      throw new RangeError(`${items} guidance items cannot go in ${out.length} outputs of ${itemSize} values`);
    }
    for (let pair = 0; pair < out.length; pair++) {
      if (batch.timesteps[2 * pair] !== batch.timesteps[2 * pair + 1]) {
        throw new RangeError(`guidance pair ${pair} has two timesteps`);
      }
    }
    await this.runGroups(batch, (output, items) => {
      // A pair's items are neighbours in every group: both share its timestep.
      for (let i = 0; i < items.length; i += 2) {
        const [uncond, cond] = [i * itemSize, (i + 1) * itemSize];
        const e = out[items[i]! / 2]!;
        if (output instanceof Float32Array) {
          combineGuidance(e, output, uncond, cond, guidance);
        } else {
          combineGuidanceHalves(e, output, uncond, cond, halfValues(), guidance);
        }
      }
    });
  }

  /** The batch in as few runs as the timestep input allows; `read` takes each run's output and the items it holds. */
  private async runGroups(
    batch: NoiseBatch,
    read: (output: FloatData, items: readonly number[]) => void,
  ): Promise<void> {
    const groups = this.timestepPerItem ? [range(batch.latents.shape[0])] : groupByTimestep(batch.timesteps);
    for (const group of groups) await this.runGroup(batch, group, read);
  }

  /** One run on the batch's `items`; `read` takes the output (valid during the call only). */
  private async runGroup(
    batch: NoiseBatch,
    items: readonly number[],
    read: (output: FloatData, items: readonly number[]) => void,
  ): Promise<void> {
    const [, channels, height, width] = batch.latents.shape;
    const pixels = height * width;
    const extra = this.unetInputChannels === 9 ? this.inpaintChannelsOf(batch.inpaintChannels) : undefined;
    const buffers = this.takeBuffers(items.length, height, width);
    try {
      const { output } = buffers;
      const sample = this.batchAsSample(batch, items) ?? buffers.sample;
      const latentSize = channels * pixels;
      if (sample === buffers.sample) this.writeSample(sample, batch, items, latentSize, pixels, extra);

      const timesteps = items.map((item) => batch.timesteps[item]!);
      const timestepDims = this.timestep.shape.length === 0 ? [] : [this.timestepPerItem ? items.length : 1];
      const timestepValues = this.timestepPerItem ? timesteps : [timesteps[0]!];
      const feeds = {
        [this.sample.name]: sample,
        [this.timestep.name]: numberTensor(timestepValues, timestepDims, this.timestep),
        [this.hiddenStates.name]: this.hiddenStatesFeed(items.map((item) => batch.conditions[item]!)),
      };
      const outputs = await this.client.run(
        this.session.name,
        feeds,
        output && { outputsInto: { [this.output.name]: output } },
      );
      const result = outputs[this.output.name]?.data;
      if (
        !(result instanceof Float32Array || result instanceof Uint16Array) ||
        result.length !== items.length * latentSize
      ) {
        throw new JobFailure(
          "model_error",
          `unet output ${this.output.name} holds ${result?.length ?? "no"} values for ${items.length} latents of ${latentSize}`,
        );
      }
      read(result, items);
    } finally {
      this.giveBack(buffers);
    }
  }

  /**
   * The batch's own latents as the sample feed, when the session takes them as they are: float32, 4 channels, every
   * item in order, and the session on this thread (a worker needs them in shared memory).
   */
  private batchAsSample(
    batch: NoiseBatch,
    items: readonly number[],
  ): (TensorPayload & { data: FloatData }) | undefined {
    const asIs =
      !this.client.sharedBuffers &&
      this.sample.type === "float32" &&
      this.unetInputChannels === latentChannels &&
      items.length === batch.latents.shape[0] &&
      items.every((item, i) => item === i);
    return asIs ? { type: "float32", dims: batch.latents.shape, data: batch.latents.data } : undefined;
  }

  /** The items' latents (and an inpainting UNet's extra channels) into the sample buffer, in its element type. */
  private writeSample(
    sample: TensorPayload & { data: FloatData },
    batch: NoiseBatch,
    items: readonly number[],
    latentSize: number,
    pixels: number,
    extra: FloatData | undefined,
  ): void {
    const inChannels = this.unetInputChannels;
    items.forEach((item, i) => {
      const latent = batch.latents.data.subarray(item * latentSize, (item + 1) * latentSize);
      const previous = i > 0 ? batch.latents.data.subarray((item - 1) * latentSize, item * latentSize) : undefined;
      // Guidance pairs repeat a latent (uncond, cond): the repeat copies the converted values.
      if (previous && items[i - 1] === item - 1 && sameBytes(latent, previous)) {
        sample.data.copyWithin(
          i * inChannels * pixels,
          (i - 1) * inChannels * pixels,
          (i - 1) * inChannels * pixels + latentSize,
        );
      } else {
        writeFloats(sample.data, latent, i * inChannels * pixels);
      }
      const itemExtra = extra?.subarray(item * 5 * pixels, (item + 1) * 5 * pixels);
      if (itemExtra) sample.data.set(itemExtra, (i * inChannels + latentChannels) * pixels);
    });
  }

  private takeBuffers(items: number, height: number, width: number): RunBuffers {
    const shape = `${items}x${height}x${width}`;
    const idle = this.idleBuffers.get(shape)?.pop();
    if (idle) return idle;
    const shared = { shared: this.client.sharedBuffers };
    return {
      shape,
      sample: emptyFloatTensor([items, this.unetInputChannels, height, width], this.sample, shared),
      output: this.client.sharedBuffers
        ? emptyFloatTensor([items, latentChannels, height, width], this.output, shared)
        : undefined,
    };
  }

  private giveBack(buffers: RunBuffers): void {
    const idle = this.idleBuffers.get(buffers.shape) ?? [];
    idle.push(buffers);
    this.idleBuffers.set(buffers.shape, idle);
  }

  /** The items' prompt embeddings stacked, [items, sequence, hidden], as a constant feed made once per edit. */
  private hiddenStatesFeed(conditions: readonly Condition[]): TensorPayload {
    const prompts = conditions.map((condition) => this.promptOf(condition));
    const key = prompts.map((prompt) => prompt.id).join(",");
    const cached = this.hiddenStatesFeeds.get(key);
    if (cached) return cached;
    const { sequenceLength, hiddenSize } = prompts[0]!.embedding;
    const hidden = new Float32Array(prompts.length * sequenceLength * hiddenSize);
    prompts.forEach((prompt, i) => {
      hidden.set(prompt.embedding.data, i * sequenceLength * hiddenSize);
    });
    const dims = [prompts.length, sequenceLength, hiddenSize];
    const feed = this.client.constant(floatTensor(hidden, dims, this.hiddenStates));
    this.hiddenStatesFeeds.set(key, feed);
    return feed;
  }

  /** An inpainting UNet's extra channels in the sample's element type, converted on an edit's first call. */
  private inpaintChannelsOf(extra: Latents | undefined): FloatData {
    if (!extra) {
      throw new JobFailure(
        "invalid_parameters",
        "this model's UNet inpaints (9 channels) and needs a mask with every call",
      );
    }
    const converted = this.inpaintData.get(extra.data);
    if (converted) return converted;
    const data = emptyFloatTensor([extra.data.length], this.sample).data;
    writeFloats(data, extra.data, 0);
    this.inpaintData.set(extra.data, data);
    return data;
  }

  private promptOf(condition: Condition): EncodedPrompt {
    const prompt = this.prompts.get(condition);
    if (!prompt) throw new Error("a condition from another model's encodePrompt was passed to this UNet");
    return prompt;
  }
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
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
