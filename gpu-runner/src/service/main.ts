#!/usr/bin/env tsx
/** @module main: the runner process: `npm run runner` (config from the environment; SIGTERM/SIGINT stop it gracefully). */
import { CudaProviderMismatch, cudaProviderMismatchExitCode } from "../model/cuda-provider.js";
import { ConfigError, parseRunnerConfig } from "./config.js";
import { GpuUnavailable, gpuUnavailableExitCode } from "./gpu-requirement.js";
import { jsonLogger } from "./logger.js";
import { type RunnerService, startRunnerService } from "./runner-service.js";

async function main(): Promise<number> {
  let config: ReturnType<typeof parseRunnerConfig>;
  try {
    config = parseRunnerConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const log = jsonLogger({ runner: config.runnerId });
  let service: RunnerService;
  try {
    service = await startRunnerService(config, { log });
  } catch (error) {
    if (error instanceof CudaProviderMismatch) {
      log("error", "CUDA provider does not match onnxruntime-node", { error: error.message });
      process.stderr.write(`${error.message}\n`);
      return cudaProviderMismatchExitCode;
    }
    if (!(error instanceof GpuUnavailable)) throw error;
    log("error", "GPU required but not available", { error: error.message });
    process.stderr.write(`${error.message}\n`);
    return gpuUnavailableExitCode;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log("info", `${signal}: shutting down`);
      // A second signal while the grace period runs means "now".
      process.once(signal, () => process.exit(130));
      service.stop().then(resolve);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `runner failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
