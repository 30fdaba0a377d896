/** @module execution-provider: which ONNX Runtime execution provider a runner asks for, and with which session options. */
import type { InferenceSession } from "onnxruntime-node";
import type { SessionThread } from "./inference-client.js";
import type { ExecutionProvider } from "./tensor-payload.js";

/**
 * STOCHEDIT_EXECUTION_PROVIDER: "cuda" asks for the GPU (sessions fall back to the CPU, with a log line, when
 * the CUDA provider cannot load); "cpu" or unset means the CPU.
 */
export function executionProviderFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutionProvider {
  return parseExecutionProvider(env.STOCHEDIT_EXECUTION_PROVIDER ?? "cpu", "STOCHEDIT_EXECUTION_PROVIDER");
}

export function parseExecutionProvider(value: string, source: string): ExecutionProvider {
  const provider = value.toLowerCase();
  if (provider === "cpu" || provider === "cuda") return provider;
  throw new RangeError(`${source} is ${JSON.stringify(value)}; cpu or cuda expected`);
}

/**
 * STOCHEDIT_SESSION_THREAD: "main" runs the sessions on the runner's own thread, "worker" in a worker thread; unset
 * leaves the choice to the provider (sd-model: main on CUDA, worker on the CPU).
 */
export function sessionThreadFromEnv(env: NodeJS.ProcessEnv = process.env): SessionThread | undefined {
  const value = env.STOCHEDIT_SESSION_THREAD;
  if (value === undefined || value === "") return undefined;
  if (value === "main" || value === "worker") return value;
  throw new RangeError(`STOCHEDIT_SESSION_THREAD is ${JSON.stringify(value)}; main or worker expected`);
}

/** STOCHEDIT_ORT_THREADS: ONNX Runtime's intra-op threads per session (unset: one per core). */
export function intraOpThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.STOCHEDIT_ORT_THREADS;
  if (value === undefined || value === "") return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`STOCHEDIT_ORT_THREADS is ${JSON.stringify(value)}; a positive integer expected`);
  }
  return threads;
}

/**
 * The session options of every session the runner, the benches and the graph comparison create.
 *
 * CUDA: onnxruntime-node passes `deviceId` and nothing else to the CUDA provider (js/node/src/session_options_helper.cc,
 * ParseExecutionProviders: `options->device_id = deviceId;` on a fresh OrtCUDAProviderOptionsV2), so gpu_mem_limit,
 * arena_extend_strategy and cudnn_conv_algo_search keep ONNX Runtime's defaults (no limit, next power of two,
 * exhaustive). What it does pass is `extra`, as session config entries: use_device_allocator_for_initializers puts
 * the weights in plain device allocations instead of the arena, whose power-of-two extension would otherwise round
 * the UNet's 1.7 GB of fp16 weights up (README, "GPU memory").
 */
export function ortSessionOptions(
  provider: ExecutionProvider,
  intraOpThreads?: number,
): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider === "cuda" ? { name: "cuda", deviceId: 0 } : "cpu"],
    graphOptimizationLevel: "all",
    extra: {
      session: {
        // Idle intra-op threads would otherwise spin between runs, taking the cores the sampler math needs between
        // UNet calls (on 2 cores this doubled a CPU edit's time).
        intra_op: { allow_spinning: "0" },
        ...(provider === "cuda" ? { use_device_allocator_for_initializers: "1" } : {}),
      },
    },
    ...(intraOpThreads ? { intraOpNumThreads: intraOpThreads } : {}),
  };
}
