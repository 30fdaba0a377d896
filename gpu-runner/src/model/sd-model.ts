/** @module sd-model: loads an SD ONNX folder once per process: tokenizer, text encoder, UNet and VAE sessions. */
import { realpath } from "node:fs/promises";
import type { NoisePredictor } from "../diffusion/noise-predictor.js";
import { createClipTokenizer } from "./clip-tokenizer.js";
import { type CudaProviderCheck, checkCudaProvider, onnxruntimeNode } from "./cuda-provider.js";
import { executionProviderFromEnv, intraOpThreadsFromEnv, sessionThreadFromEnv } from "./execution-provider.js";
import { InThreadInferenceClient } from "./in-thread-inference-client.js";
import type { InferenceClient, LoadedSession, SessionThread, SessionTiming } from "./inference-client.js";
import { type ModelFolder, readModelFolder } from "./model-folder.js";
import { createPromptEncoder } from "./prompt-encoder.js";
import type { ExecutionProvider, TensorSpec } from "./tensor-payload.js";
import { UnetNoisePredictor } from "./unet-noise-predictor.js";
import { createVaeCodec, type VaeCodec } from "./vae-codec.js";
import { WorkerInferenceClient } from "./worker-inference-client.js";

export interface SdModelOptions {
  readonly executionProvider?: ExecutionProvider;
  readonly intraOpThreads?: number;
  /** Hears one line per notable event (provider check and fallback, each session's provider, what was loaded). */
  readonly log?: (line: string) => void;
  /** Where the CUDA provider library is checked (default: beside onnxruntime-node's binding, where ORT loads it). */
  readonly cudaProviderLibrary?: string;
  /**
   * Where the sessions run (default: STOCHEDIT_SESSION_THREAD, else the runner's own thread on CUDA, whose calls
   * are short, and a worker thread on the CPU, whose calls block for seconds).
   */
  readonly sessionThread?: SessionThread;
}

export interface SdModel {
  readonly dir: string;
  readonly predictor: NoisePredictor;
  readonly vae: VaeCodec;
  /** The provider the sessions actually run on (cpu after a CUDA fallback). */
  readonly executionProvider: ExecutionProvider;
  /** What the loader read from the sessions, for logs and job records. */
  readonly description: string;
  /** Where its sessions run. */
  readonly sessionThread: SessionThread;
  /** False once its worker thread crashed or it was closed. */
  readonly alive: boolean;
  /** Time inside each session so far (text_encoder, unet, vae_encoder, vae_decoder). */
  timings(): ReadonlyMap<string, Readonly<SessionTiming>>;
  close(): Promise<void>;
}

const loaded = new Map<string, Promise<SdModel>>();

/**
 * The model in `dir`, loaded on first use and shared by every later job of this process (one worker thread
 * holds its four sessions). A model whose worker died is loaded again.
 */
export async function loadSdModel(dir: string, options: SdModelOptions = {}): Promise<SdModel> {
  const folder = await readModelFolder(dir);
  const executionProvider = options.executionProvider ?? executionProviderFromEnv();
  const sessionThread = options.sessionThread ?? sessionThreadFromEnv();
  const key = `${await realpath(folder.dir)}|${executionProvider}|${sessionThread ?? "default"}`;
  const cached = loaded.get(key);
  if (cached) {
    const model = await cached.catch(() => undefined);
    if (model?.alive) return model;
    loaded.delete(key);
  }
  const loading = openSdModel(folder, {
    ...options,
    executionProvider,
    ...(sessionThread === undefined ? {} : { sessionThread }),
  });
  loaded.set(key, loading);
  loading.catch(() => loaded.delete(key));
  return loading;
}

/** Closes every cached model (their worker threads end). */
export async function closeSdModels(): Promise<void> {
  const models = await Promise.allSettled([...loaded.values()]);
  loaded.clear();
  await Promise.all(models.map((m) => (m.status === "fulfilled" ? m.value.close() : undefined)));
}

async function openSdModel(
  folder: ModelFolder,
  options: SdModelOptions & { executionProvider: ExecutionProvider },
): Promise<SdModel> {
  const log = options.log ?? (() => {});
  if (options.executionProvider === "cuda") {
    // Before any session: a provider of another ONNX Runtime version must stop the start, not crash a session.
    log(describeCudaProvider(await checkCudaProvider(onnxruntimeNode().version, options.cudaProviderLibrary)));
  }
  let client = newClient(options.sessionThread ?? (options.executionProvider === "cuda" ? "main" : "worker"));
  try {
    const intraOpThreads = options.intraOpThreads ?? intraOpThreadsFromEnv();
    const sessionOptions = {
      executionProvider: options.executionProvider,
      ...(intraOpThreads === undefined ? {} : { intraOpThreads }),
    };
    const load = async (name: string, path: string, asked: typeof sessionOptions) => {
      const session = await client.load(name, path, asked);
      log(`session ${name} runs on ${session.executionProvider} (${path})`);
      return session;
    };
    let textEncoder = await load("text_encoder", folder.textEncoderPath, sessionOptions);
    if (textEncoder.fallbackReason !== undefined) {
      log(`CUDA was asked for but is not available, running on the CPU: ${textEncoder.fallbackReason}`);
      if (client.thread === "main" && options.sessionThread === undefined) {
        // The thread was chosen for CUDA's short calls: a CPU call would hold the event loop for seconds.
        log("the sessions run in a worker thread instead, as on a CPU runner");
        await client.close();
        client = newClient("worker");
        textEncoder = await load("text_encoder", folder.textEncoderPath, {
          ...sessionOptions,
          executionProvider: "cpu",
        });
      }
    }
    // After one fallback the others would fail the same way: ask for the CPU directly.
    const rest = { ...sessionOptions, executionProvider: textEncoder.executionProvider };
    const unet = await load("unet", folder.unetPath, rest);
    const vaeEncoder = await load("vae_encoder", folder.vaeEncoderPath, rest);
    const vaeDecoder = await load("vae_decoder", folder.vaeDecoderPath, rest);

    const tokenizer = createClipTokenizer({
      vocab: folder.vocab,
      merges: folder.merges,
      ...(folder.padToken === undefined ? {} : { padToken: folder.padToken }),
    });
    const encodePrompt = createPromptEncoder(client, textEncoder, tokenizer);
    const predictor = new UnetNoisePredictor(client, unet, encodePrompt, folder.unetInChannels);
    const vae = createVaeCodec(client, vaeEncoder, vaeDecoder, folder.vaeScaleFactor);
    const description = [
      `model ${folder.dir} on ${textEncoder.executionProvider}`,
      `unet ${describe(unet, "sample")} ${describe(unet, "timestep")} (${predictor.unetInputChannels} channels)`,
      `vae_encoder -> ${vaeEncoder.signature.outputs.map((o) => o.name).join(", ")}`,
      `tokens: start ${tokenizer.startId}, end ${tokenizer.endId}, pad ${tokenizer.padId}`,
      `latent scale ${folder.vaeScaleFactor}`,
    ].join("; ");
    log(`${description}; sessions on the ${client.thread === "main" ? "runner's own thread" : "worker thread"}`);
    const sessions = client;
    return {
      dir: folder.dir,
      predictor,
      vae,
      executionProvider: textEncoder.executionProvider,
      description,
      sessionThread: sessions.thread,
      get alive() {
        return sessions.alive;
      },
      timings: () => sessions.timings,
      close: () => sessions.close(),
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

function newClient(thread: SessionThread): InferenceClient {
  return thread === "main" ? new InThreadInferenceClient() : new WorkerInferenceClient();
}

function describe(session: LoadedSession, input: string): string {
  const spec: TensorSpec | undefined = session.signature.inputs.find((i) => i.name === input);
  return spec ? `${spec.name}:${spec.type}[${spec.shape.join(",")}]` : `${input}:absent`;
}

function describeCudaProvider(check: CudaProviderCheck): string {
  switch (check.status) {
    case "match":
      return `CUDA provider ${check.library} is built for ONNX Runtime ${check.version}, as onnxruntime-node is`;
    case "absent":
      return `CUDA provider library ${check.library} is missing`;
    case "unknown":
      return `CUDA provider ${check.library} names no ONNX Runtime version: it cannot be checked against onnxruntime-node ${onnxruntimeNode().version}`;
  }
}
