/** @module test-predictors: NoisePredictor stand-ins for tests: a call recorder and a cheap nonlinear predictor. */
import type { Condition, NoiseBatch, NoisePredictor } from "./noise-predictor.js";

export interface RecordedCall {
  readonly batchSize: number;
  readonly timesteps: readonly number[];
  /** The prompt each item was conditioned on. */
  readonly prompts: readonly string[];
  readonly inpaintChannels: Float32Array | undefined;
}

/**
 * Wraps a predictor and records every call; `inspect` sees each batch (with its items' prompts) before the model runs,
 * while the latents are still the caller's.
 */
export class PredictorSpy implements NoisePredictor {
  readonly calls: RecordedCall[] = [];
  readonly encodedPrompts: string[] = [];
  private readonly promptOf = new Map<Condition, string>();

  constructor(
    private readonly inner: NoisePredictor,
    private readonly inspect?: (batch: NoiseBatch, prompts: readonly string[]) => void,
  ) {}

  get unetInputChannels(): 4 | 9 {
    return this.inner.unetInputChannels;
  }

  async encodePrompt(prompt: string): Promise<Condition> {
    this.encodedPrompts.push(prompt);
    const condition = await this.inner.encodePrompt(prompt);
    this.promptOf.set(condition, prompt);
    return condition;
  }

  async predictNoise(batch: NoiseBatch): Promise<Float32Array> {
    const prompts = batch.conditions.map((c) => this.promptOf.get(c) ?? "<unknown condition>");
    this.calls.push({
      batchSize: batch.latents.shape[0],
      timesteps: [...batch.timesteps],
      prompts,
      inpaintChannels: batch.inpaintChannels && Float32Array.from(batch.inpaintChannels.data),
    });
    this.inspect?.(batch, prompts);
    return this.inner.predictNoise(batch);
  }
}

/**
 * ε = 0.5 sin(x + t/100 + prompt length / 10): nonlinear in x, different per level and per prompt (so guidance matters),
 * and cheap. Any unetInputChannels can be claimed, to drive the 9-channel path.
 */
export class WavyNoisePredictor implements NoisePredictor {
  constructor(readonly unetInputChannels: 4 | 9 = 4) {}

  async encodePrompt(prompt: string): Promise<Condition> {
    return { offset: prompt.length / 10 } as unknown as Condition;
  }

  async predictNoise(batch: NoiseBatch): Promise<Float32Array> {
    const x = batch.latents.data;
    const itemSize = x.length / batch.latents.shape[0];
    const e = new Float32Array(x.length);
    for (let item = 0; item < batch.latents.shape[0]; item++) {
      const { offset } = batch.conditions[item] as unknown as { offset: number };
      const phase = batch.timesteps[item]! / 100 + offset;
      for (let i = item * itemSize; i < (item + 1) * itemSize; i++) e[i] = 0.5 * Math.sin(x[i]! + phase);
    }
    return e;
  }
}
