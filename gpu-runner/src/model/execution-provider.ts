/** @module execution-provider: which ONNX Runtime execution provider and thread count a runner asks for. */
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
