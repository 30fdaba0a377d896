/** @module inference-worker: runs inside a worker thread; owns the ONNX Runtime sessions and runs them. */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { RecentCache } from "./recent-cache.js";
import type { ExecutionProvider, SessionSignature, TensorPayload, TensorSpec } from "./tensor-payload.js";
import type { SessionOptions, WorkerRequest, WorkerResponse } from "./worker-protocol.js";

const sessions = new Map<string, ort.InferenceSession>();
/** Tensors of constant feeds by key: a few concurrent edits' prompt embeddings. */
const constants = new RecentCache<number, ort.Tensor>(16);

function signatureOf(session: ort.InferenceSession): SessionSignature {
  const spec = (value: ort.InferenceSession.ValueMetadata): TensorSpec =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: "non-tensor", shape: [] };
  return { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
}

function ortOptions(provider: ExecutionProvider, options: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider === "cuda" ? { name: "cuda", deviceId: 0 } : "cpu"],
    graphOptimizationLevel: "all",
    // Idle intra-op threads would otherwise spin between runs, taking the cores the sampler math needs between
    // UNet calls (on 2 cores this doubled a CPU edit's time).
    extra: { session: { intra_op: { allow_spinning: "0" } } },
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
  };
}

async function load(request: Extract<WorkerRequest, { kind: "load" }>): Promise<WorkerResponse> {
  let provider = request.options.executionProvider;
  let fallbackReason: string | undefined;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(request.path, ortOptions(provider, request.options));
  } catch (error) {
    // onnxruntime-node throws here when the CUDA provider's libraries are missing; it never falls back itself.
    if (provider !== "cuda") throw error;
    fallbackReason = error instanceof Error ? error.message : String(error);
    provider = "cpu";
    session = await ort.InferenceSession.create(request.path, ortOptions(provider, request.options));
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
  for (const [name, payload] of Object.entries(request.feeds)) feeds[name] = tensorOf(payload);
  const started = performance.now();
  const results = await session.run(feeds);
  const runMs = performance.now() - started;
  const outputs: Record<string, TensorPayload> = {};
  for (const [name, value] of Object.entries(results)) {
    const tensor = value as ort.Tensor;
    outputs[name] = {
      type: tensor.type as TensorPayload["type"],
      dims: [...tensor.dims],
      data: tensor.data as TensorPayload["data"],
    };
  }
  return { kind: "ran", id: request.id, outputs, runMs };
}

/** A constant feed's tensor is made once, in memory of its own: ONNX Runtime does not take shared memory. */
function tensorOf(payload: TensorPayload): ort.Tensor {
  if (payload.constantKey === undefined) return new ort.Tensor(payload.type, payload.data, [...payload.dims]);
  let tensor = constants.get(payload.constantKey);
  if (!tensor) {
    tensor = new ort.Tensor(payload.type, payload.data.slice(), [...payload.dims]);
    constants.set(payload.constantKey, tensor);
  }
  return tensor;
}

const port = parentPort;
if (!port) throw new Error("inference-worker must run in a worker thread");
port.on("message", (request: WorkerRequest) => {
  const handled = request.kind === "load" ? load(request) : run(request);
  handled.then(
    (response) => {
      // Outputs are fresh arrays: hand their memory over instead of copying it.
      const buffers = response.kind === "ran" ? Object.values(response.outputs).map((o) => o.data.buffer) : [];
      port.postMessage(response, [...new Set(buffers)] as ArrayBuffer[]);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ kind: "failed", id: request.id, message } satisfies WorkerResponse);
    },
  );
});
