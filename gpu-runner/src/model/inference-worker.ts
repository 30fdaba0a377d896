/** @module inference-worker: runs inside a worker thread; owns the ONNX Runtime sessions and runs them. */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { ortSessionOptions } from "./execution-provider.js";
import { RecentCache } from "./recent-cache.js";
import type { SessionSignature, TensorData, TensorElementType, TensorPayload, TensorSpec } from "./tensor-payload.js";
import type { WorkerRequest, WorkerResponse } from "./worker-protocol.js";

const sessions = new Map<string, ort.InferenceSession>();

function signatureOf(session: ort.InferenceSession): SessionSignature {
  const spec = (value: ort.InferenceSession.ValueMetadata): TensorSpec =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: "non-tensor", shape: [] };
  return { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
}

async function load(request: Extract<WorkerRequest, { kind: "load" }>): Promise<WorkerResponse> {
  let provider = request.options.executionProvider;
  let fallbackReason: string | undefined;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(
      request.path,
      ortSessionOptions(provider, request.options.intraOpThreads),
    );
  } catch (error) {
    // onnxruntime-node throws here when the CUDA provider's libraries are missing; it never falls back itself.
    if (provider !== "cuda") throw error;
    fallbackReason = error instanceof Error ? error.message : String(error);
    provider = "cpu";
    session = await ort.InferenceSession.create(
      request.path,
      ortSessionOptions(provider, request.options.intraOpThreads),
    );
  }
  await sessions.get(request.session)?.release();
  sessions.set(request.session, session);
  return {
    kind: "loaded",
    id: request.id,
    signature: signatureOf(session),
    executionProvider: provider,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  };
}

async function run(request: Extract<WorkerRequest, { kind: "run" }>): Promise<WorkerResponse> {
  const session = sessions.get(request.session);
  if (!session) throw new Error(`no session named ${request.session} is loaded`);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, payload] of Object.entries(request.feeds)) {
    feeds[name] = tensorOf(payload, `${request.session} ${name}`);
  }
  const started = performance.now();
  const results = await session.run(feeds);
  const runMs = performance.now() - started;
  const outputs: Record<string, TensorPayload> = {};
  for (const [name, value] of Object.entries(results)) {
    const tensor = value as ort.Tensor;
    const into = request.outputsInto[name];
    if (into) {
      copyInto(into, tensor, `${request.session} output ${name}`);
      continue;
    }
    outputs[name] = { type: tensor.type as TensorElementType, dims: [...tensor.dims], data: tensor.data as TensorData };
  }
  return { kind: "ran", id: request.id, outputs, runMs };
}

/** Constant tensors by key: a few concurrent edits' prompt embeddings. */
const constants = new RecentCache<number, ort.Tensor>(16);
/** Per session input: the tensor its shared feeds are copied into, kept while their type and dims stay the same. */
const stagedInputs = new Map<string, ort.Tensor>();

/**
 * ONNX Runtime does not take shared memory: a shared feed is copied into a tensor kept for its input, and a
 * constant one (same data every time) into a tensor of its own, made once.
 */
function tensorOf(payload: TensorPayload, input: string): ort.Tensor {
  const dims = [...payload.dims];
  if (!(payload.data.buffer instanceof SharedArrayBuffer)) return new ort.Tensor(payload.type, payload.data, dims);
  if (payload.constantKey !== undefined) {
    let constant = constants.get(payload.constantKey);
    if (!constant) {
      constant = new ort.Tensor(payload.type, payload.data.slice(), dims);
      constants.set(payload.constantKey, constant);
    }
    return constant;
  }
  let staged = stagedInputs.get(input);
  if (staged?.type !== payload.type || staged.dims.join() !== dims.join()) {
    staged = new ort.Tensor(payload.type, payload.data.slice(), dims);
    stagedInputs.set(input, staged);
  } else {
    (staged.data as TensorData).set(payload.data as never);
  }
  return staged;
}

/** An output into the caller's shared buffer for it, which must hold exactly its values. */
function copyInto(into: TensorPayload, tensor: ort.Tensor, output: string): void {
  const data = tensor.data as TensorData;
  if (tensor.type !== into.type || data.length !== into.data.length) {
    throw new Error(
      `${output} returned ${data.length} ${tensor.type} values where ${into.data.length} ${into.type} were expected`,
    );
  }
  into.data.set(data as never);
}

const port = parentPort;
if (!port) throw new Error("inference-worker must run in a worker thread");
// One request at a time, each to its end: a run's feeds are copied into tensors that the next run reuses.
let previous: Promise<void> = Promise.resolve();
port.on("message", (request: WorkerRequest) => {
  previous = previous
    .then(async () => {
      const response = await answer(request);
      // Outputs are fresh arrays: hand their memory over instead of copying it.
      const buffers = response.kind === "ran" ? Object.values(response.outputs).map((o) => o.data.buffer) : [];
      port.postMessage(response, [...new Set(buffers)] as ArrayBuffer[]);
    })
    .catch((error: unknown) => {
      port.postMessage({ kind: "failed", id: request.id, message: String(error) } satisfies WorkerResponse);
    });
});

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  try {
    return await (request.kind === "load" ? load(request) : run(request));
  } catch (error) {
    return { kind: "failed", id: request.id, message: error instanceof Error ? error.message : String(error) };
  }
}
