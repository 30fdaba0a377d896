/** @module worker-inference-client: sessions in a worker thread, and the caller's side of it (load, run, timings). */
import { performance } from "node:perf_hooks";
import { JobFailure } from "../job-failure.js";
import { startTypeScriptWorker } from "../typescript-worker.js";
import {
  type InferenceClient,
  type LoadedSession,
  type RunOptions,
  recordTiming,
  type SessionTiming,
} from "./inference-client.js";
import type { TensorData, TensorPayload } from "./tensor-payload.js";
import type { SessionOptions, WorkerRequest, WorkerResponse } from "./worker-protocol.js";

type Pending = { resolve: (response: WorkerResponse) => void; reject: (error: Error) => void };

/**
 * `session.run` blocks its thread for the whole inference, so sessions live in a worker thread and the event
 * loop here stays free for heartbeats and HTTP. Requests run one at a time, in order. Each call is a message each
 * way (about 0.1 ms apiece: the OS waking the other thread).
 */
export class WorkerInferenceClient implements InferenceClient {
  readonly thread = "worker";
  readonly sharedBuffers = true;
  private readonly worker = startTypeScriptWorker(
    new URL("./inference-worker.ts", import.meta.url),
    "stochedit-inference",
  );
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextConstantKey = 1;
  private failure: Error | undefined;
  readonly timings = new Map<string, SessionTiming>();

  constructor() {
    // An idle worker must not keep the process alive; one with requests in flight must.
    this.worker.unref();
    this.worker.on("message", (response: WorkerResponse) => this.settle(response));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`the inference worker exited with code ${code}`)));
  }

  /** False once the worker crashed or was closed: load the model again on a new client. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  async load(session: string, path: string, options: SessionOptions): Promise<LoadedSession> {
    const response = await this.request({ kind: "load", id: 0, session, path, options });
    if (response.kind !== "loaded") throw new Error(`unexpected ${response.kind} answer to load`);
    return {
      name: session,
      signature: response.signature,
      executionProvider: response.executionProvider,
      ...(response.fallbackReason === undefined ? {} : { fallbackReason: response.fallbackReason }),
    };
  }

  /** Its data is copied once into shared memory, which every run passes to the worker without a copy. */
  constant(tensor: TensorPayload): TensorPayload {
    return { type: tensor.type, dims: tensor.dims, data: sharedCopy(tensor.data), constantKey: this.nextConstantKey++ };
  }

  /** Feeds are copied to the worker, but for shared ones; `outputsInto` should be shared buffers. */
  async run(
    session: string,
    feeds: Record<string, TensorPayload>,
    { outputsInto = {} }: RunOptions = {},
  ): Promise<Record<string, TensorPayload>> {
    const started = performance.now();
    const response = await this.request({ kind: "run", id: 0, session, feeds, outputsInto });
    if (response.kind !== "ran") throw new Error(`unexpected ${response.kind} answer to run`);
    recordTiming(this.timings, session, response.runMs, performance.now() - started);
    return { ...response.outputs, ...outputsInto };
  }

  async close(): Promise<void> {
    this.fail(new Error("the inference worker was closed"));
    await this.worker.terminate();
  }

  private request(message: WorkerRequest): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(new JobFailure("model_error", this.failure.message));
    const id = this.nextId++;
    const promise = new Promise<WorkerResponse>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...message, id });
    return promise;
  }

  private settle(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.kind === "failed") pending.reject(new JobFailure("model_error", response.message));
    else pending.resolve(response);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(new JobFailure("model_error", error.message));
    this.pending.clear();
  }
}

/** The same elements in a SharedArrayBuffer. */
function sharedCopy(data: TensorData): TensorData {
  const shared = new SharedArrayBuffer(data.byteLength);
  new Uint8Array(shared).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const TypedArray = data.constructor as new (buffer: SharedArrayBuffer) => TensorData;
  return new TypedArray(shared);
}
