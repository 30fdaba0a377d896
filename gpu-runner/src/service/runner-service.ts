/** @module runner-service: the runner process's parts put together: health server, model, claim loop, shutdown. */
import { defaultModelDir } from "../model/default-model-dir.js";
import { closeSdModels, loadSdModel, type SdModel, type SdModelOptions } from "../model/sd-model.js";
import { idleNoiseThreads, prestartNoiseThreads } from "../noise/gaussian-stream.js";
import { startClaimLoop } from "./claim-loop.js";
import type { RunnerConfig } from "./config.js";
import { EdgeClient } from "./edge-client.js";
import { checkGpuRequirement } from "./gpu-requirement.js";
import { type RunnerPhase, startHealthServer } from "./health-server.js";
import type { Logger } from "./logger.js";
import { runClaimedJob } from "./run-claimed-job.js";
import { createRunnerMetrics, type RunnerMetrics } from "./runner-metrics.js";

export interface RunnerServiceOptions {
  readonly log: Logger;
  /** The model folder; default: STOCHEDIT_MODEL_DIR, models/stochedit-mini, then the generated tiny model. */
  readonly modelDir?: string;
  readonly model?: Omit<SdModelOptions, "log">;
}

export interface RunnerService {
  readonly healthUrl: string;
  readonly metrics: RunnerMetrics;
  /**
   * Graceful shutdown: claims no more jobs, lets running ones finish within the grace period and releases the
   * rest, then closes the health server and the model. Idempotent.
   */
  stop(): Promise<void>;
}

export async function startRunnerService(config: RunnerConfig, options: RunnerServiceOptions): Promise<RunnerService> {
  const { log } = options;
  const metrics = createRunnerMetrics(config.slots);
  let phase: RunnerPhase = "loading";
  let busySlots = 0;
  const health = await startHealthServer({
    ...config.health,
    registry: metrics.registry,
    state: () => ({ phase, runnerId: config.runnerId, model: config.modelName, slots: config.slots, busySlots }),
  });
  log("info", "health and metrics listening", { url: health.url });

  const modelLog = (line: string) => log("info", line);
  const modelOptions: SdModelOptions = { ...options.model, log: modelLog };
  let modelDir: string;
  let model: SdModel | undefined;
  try {
    modelDir = options.modelDir ?? (await defaultModelDir(process.env, modelLog));
    model = await loadSdModel(modelDir, modelOptions);
    checkGpuRequirement(config.requireGpu, model.executionProvider);
  } catch (error) {
    // The model's worker thread would keep the process alive after a refused start.
    await model?.close();
    await health.close();
    throw error;
  }
  prestartNoiseThreads(config.slots);
  metrics.modelReady.set(1);
  phase = "ready";
  log("info", "runner ready", {
    model: config.modelName,
    dir: modelDir,
    slots: config.slots,
    noiseThreads: idleNoiseThreads(),
  });

  const edge = new EdgeClient({
    baseUrl: config.edgeUrl,
    hmacSecret: config.hmacSecret,
    timeoutMs: config.httpTimeoutMs,
  });
  const graceOver = new AbortController();
  const context = {
    config,
    edge,
    model: () => loadSdModel(modelDir, modelOptions),
    metrics,
    log,
    shutdown: graceOver.signal,
  };
  const loop = startClaimLoop({
    slots: config.slots,
    claim: () => edge.claim({ runner_id: config.runnerId, models: [config.modelName] }),
    run: async (job) => {
      busySlots++;
      try {
        return await runClaimedJob(job, context);
      } finally {
        busySlots--;
      }
    },
    backoff: config.idleBackoff,
    metrics,
    log,
  });

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    phase = "stopping";
    log("info", "stopping: no more claims", { busy_slots: busySlots, grace_ms: config.shutdownGraceMs });
    loop.stop();
    const grace = setTimeout(() => {
      log("warn", "grace period over: handing running jobs back", { busy_slots: busySlots });
      graceOver.abort();
    }, config.shutdownGraceMs);
    await loop.done;
    clearTimeout(grace);
    await health.close();
    await closeSdModels();
    metrics.modelReady.set(0);
    log("info", "stopped");
  };
  return {
    healthUrl: health.url,
    metrics,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
