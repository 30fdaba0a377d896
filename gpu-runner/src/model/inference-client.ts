/** @module inference-client: the main-thread side of the inference worker (load sessions, run them, timings). */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { JobFailure } from "../job-failure.js";
import type { ExecutionProvider, SessionSignature, TensorData, TensorPayload } from "./tensor-payload.js";
import type { SessionOptions, WorkerRequest, WorkerResponse } from "./worker-protocol.js";

export interface LoadedSession {
  readonly name: string;
  readonly signature: SessionSignature;
  readonly executionProvider: ExecutionProvider;
  readonly fallbackReason?: string;
}

/** Time spent per session: inside session.run (in the worker) and per call as the caller saw it. */
export interface SessionTiming {
  calls: number;
  runMs: number;
  roundTripMs: number;
}

type Pending = { resolve: (response: WorkerResponse) => void; reject: (error: Error) => void };

/**
 * Starts the worker through tsx's loader: the worker is TypeScript, and Node 20 does not pass the parent's
 * module hooks on to worker threads.
 */
function startWorker(): Worker {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./inference-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(bootstrap, { eval: true, name: "stochedit-inference" });
}

/**
 * `session.run` blocks its thread for the whole inference, so sessions live in a worker thread and the event
 * loop here stays free for heartbeats and HTTP. Requests run one at a time, in order.
 */
export class InferenceClient {
  private readonly worker = startWorker();
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

  /**
   * A feed for many runs (an edit's prompt embeddings): its data is copied once into shared memory, which every
   * run passes to the worker without a copy, and the worker makes its tensor once and keeps it for later runs.
   * The worker keeps the latest few, and makes one again from the shared data when it dropped it.
   */
  constant(tensor: TensorPayload): TensorPayload {
    return { type: tensor.type, dims: tensor.dims, data: sharedCopy(tensor.data), constantKey: this.nextConstantKey++ };
  }

  /**
   * Runs a session on `feeds` (copied to the worker; shared ones are not copied) and answers its outputs. Outputs
   * named in `outputsInto` are written into those shared buffers instead, which the answer then holds: a caller
   * that runs a session again and again keeps its inputs and outputs in shared memory and reuses them.
   */
  async run(
    session: string,
    feeds: Record<string, TensorPayload>,
    { outputsInto = {} }: { outputsInto?: Record<string, TensorPayload> } = {},
  ): Promise<Record<string, TensorPayload>> {
    const started = performance.now();
    const response = await this.request({ kind: "run", id: 0, session, feeds, outputsInto });
    if (response.kind !== "ran") throw new Error(`unexpected ${response.kind} answer to run`);
    const timing = this.timings.get(session) ?? { calls: 0, runMs: 0, roundTripMs: 0 };
    timing.calls += 1;
    timing.runMs += response.runMs;
    timing.roundTripMs += performance.now() - started;
    this.timings.set(session, timing);
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
