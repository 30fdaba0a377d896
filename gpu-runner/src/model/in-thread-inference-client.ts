/** @module in-thread-inference-client: sessions on the caller's own thread: each call blocks it, with no hand-off. */
import { performance } from "node:perf_hooks";
import { JobFailure } from "../job-failure.js";
import {
  type InferenceClient,
  type LoadedSession,
  type RunOptions,
  recordTiming,
  type SessionTiming,
} from "./inference-client.js";
import { SessionHost } from "./session-host.js";
import type { TensorPayload } from "./tensor-payload.js";
import type { SessionOptions } from "./worker-protocol.js";

/**
 * For sessions whose calls are short (a GPU's: an SD 1.5 UNet call takes 10-30 ms): the event loop gets its turn
 * between calls, which is soon enough for heartbeats and HTTP, and a call costs no messages between threads
 * (about 0.25 ms a UNet call through a worker). On a CPU, where a UNet call takes seconds, use the worker.
 */
export class InThreadInferenceClient implements InferenceClient {
  readonly thread = "main";
  readonly sharedBuffers = false;
  readonly timings = new Map<string, SessionTiming>();
  private readonly host = new SessionHost();
  private nextConstantKey = 1;
  private closed: Error | undefined;

  get alive(): boolean {
    return this.closed === undefined;
  }

  async load(session: string, path: string, options: SessionOptions): Promise<LoadedSession> {
    const loaded = await this.modelWork(() => this.host.load(session, path, options));
    return { name: session, ...loaded };
  }

  /** The data as it is: the caller never changes a constant's data. */
  constant(tensor: TensorPayload): TensorPayload {
    return { ...tensor, constantKey: this.nextConstantKey++ };
  }

  async run(
    session: string,
    feeds: Record<string, TensorPayload>,
    { outputsInto = {} }: RunOptions = {},
  ): Promise<Record<string, TensorPayload>> {
    const started = performance.now();
    const { outputs, runMs } = await this.modelWork(() => this.host.run(session, feeds, outputsInto));
    recordTiming(this.timings, session, runMs, performance.now() - started);
    return { ...outputs, ...outputsInto };
  }

  async close(): Promise<void> {
    this.closed ??= new Error("the sessions were closed");
    await this.host.release();
  }

  /** Host work, failing as a worker's failure does: a model_error with the message. */
  private async modelWork<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new JobFailure("model_error", this.closed.message);
    try {
      return await work();
    } catch (error) {
      throw new JobFailure("model_error", error instanceof Error ? error.message : String(error));
    }
  }
}
