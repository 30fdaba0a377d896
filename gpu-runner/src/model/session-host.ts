/** @module session-host: owns ONNX Runtime sessions, loads and runs them one at a time (in whichever thread holds it). */
import { performance } from "node:perf_hooks";
import * as ort from "onnxruntime-node";
import { ortSessionOptions } from "./execution-provider.js";
import { RecentCache } from "./recent-cache.js";
import type {
  ExecutionProvider,
  SessionSignature,
  TensorData,
  TensorElementType,
  TensorPayload,
  TensorSpec,
} from "./tensor-payload.js";
import type { SessionOptions } from "./worker-protocol.js";

export interface HostedSession {
  readonly signature: SessionSignature;
  readonly executionProvider: ExecutionProvider;
  /** Why CUDA was asked for but the session runs on the CPU. */
  readonly fallbackReason?: string;
}

export interface HostedRun {
  /** The outputs not written into `outputsInto`. */
  readonly outputs: Record<string, TensorPayload>;
  /** Wall time of session.run. */
  readonly runMs: number;
}

/**
 * The sessions of one model by name. Requests run one at a time, each to its end, in the order they came: a run's
 * shared feeds are copied into tensors that the next run reuses.
 */
export class SessionHost {
  private readonly sessions = new Map<string, ort.InferenceSession>();
  /** Constant tensors by key: a few concurrent edits' prompt embeddings. */
  private readonly constants = new RecentCache<number, ort.Tensor>(16);
  /** Per session input: the tensor its shared feeds are copied into, kept while their type and dims stay the same. */
  private readonly stagedInputs = new Map<string, ort.Tensor>();
  private previous: Promise<unknown> = Promise.resolve();

  load(session: string, path: string, options: SessionOptions): Promise<HostedSession> {
    return this.inTurn(() => this.loadNow(session, path, options));
  }

  /** Runs a session; outputs named in `outputsInto` are copied into those buffers, which must fit them exactly. */
  run(
    session: string,
    feeds: Record<string, TensorPayload>,
    outputsInto: Record<string, TensorPayload>,
  ): Promise<HostedRun> {
    return this.inTurn(() => this.runNow(session, feeds, outputsInto));
  }

  async release(): Promise<void> {
    await this.inTurn(async () => {
      await Promise.all([...this.sessions.values()].map((session) => session.release()));
      this.sessions.clear();
    });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.previous.then(work);
    this.previous = turn.catch(() => {});
    return turn;
  }

  private async loadNow(name: string, path: string, options: SessionOptions): Promise<HostedSession> {
    let provider = options.executionProvider;
    let fallbackReason: string | undefined;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, ortSessionOptions(provider, options.intraOpThreads));
    } catch (error) {
      // onnxruntime-node throws here when the CUDA provider's libraries are missing; it never falls back itself.
      if (provider !== "cuda") throw error;
      fallbackReason = error instanceof Error ? error.message : String(error);
      provider = "cpu";
      session = await ort.InferenceSession.create(path, ortSessionOptions(provider, options.intraOpThreads));
    }
    await this.sessions.get(name)?.release();
    this.sessions.set(name, session);
    return {
      signature: signatureOf(session),
      executionProvider: provider,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    };
  }

  private async runNow(
    name: string,
    feeds: Record<string, TensorPayload>,
    outputsInto: Record<string, TensorPayload>,
  ): Promise<HostedRun> {
    const session = this.sessions.get(name);
    if (!session) throw new Error(`no session named ${name} is loaded`);
    const tensors: Record<string, ort.Tensor> = {};
    for (const [input, payload] of Object.entries(feeds)) tensors[input] = this.tensorOf(payload, `${name} ${input}`);
    const started = performance.now();
    const results = await session.run(tensors);
    const runMs = performance.now() - started;
    const outputs: Record<string, TensorPayload> = {};
    for (const [output, value] of Object.entries(results)) {
      const tensor = value as ort.Tensor;
      const into = outputsInto[output];
      if (into) copyInto(into, tensor, `${name} output ${output}`);
      else
        outputs[output] = {
          type: tensor.type as TensorElementType,
          dims: [...tensor.dims],
          data: tensor.data as TensorData,
        };
    }
    return { outputs, runMs };
  }

  /**
   * A feed as a tensor. Plain memory is used as it is. ONNX Runtime does not take shared memory: a shared feed is
   * copied into a tensor kept for its input. A constant one (same data every time) gets a tensor of its own, made
   * once.
   */
  private tensorOf(payload: TensorPayload, input: string): ort.Tensor {
    const dims = [...payload.dims];
    const shared = payload.data.buffer instanceof SharedArrayBuffer;
    if (payload.constantKey !== undefined) {
      let constant = this.constants.get(payload.constantKey);
      if (!constant) {
        constant = new ort.Tensor(payload.type, shared ? payload.data.slice() : payload.data, dims);
        this.constants.set(payload.constantKey, constant);
      }
      return constant;
    }
    if (!shared) return new ort.Tensor(payload.type, payload.data, dims);
    let staged = this.stagedInputs.get(input);
    if (staged?.type !== payload.type || staged.dims.join() !== dims.join()) {
      staged = new ort.Tensor(payload.type, payload.data.slice(), dims);
      this.stagedInputs.set(input, staged);
    } else {
      (staged.data as TensorData).set(payload.data as never);
    }
    return staged;
  }
}

function signatureOf(session: ort.InferenceSession): SessionSignature {
  const spec = (value: ort.InferenceSession.ValueMetadata): TensorSpec =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: "non-tensor", shape: [] };
  return { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
}

/** An output into the caller's buffer for it, which must hold exactly its values. */
function copyInto(into: TensorPayload, tensor: ort.Tensor, output: string): void {
  const data = tensor.data as TensorData;
  if (tensor.type !== into.type || data.length !== into.data.length) {
    throw new Error(
      `${output} returned ${data.length} ${tensor.type} values where ${into.data.length} ${into.type} were expected`,
    );
  }
  into.data.set(data as never);
}
