/** @module config: the runner service's settings, read from the environment and checked with zod (a trust boundary). */
import { hostname } from "node:os";
import { uploadLimits } from "@stochedit/shared";
import { z } from "zod";

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);

const RunnerEnv = z
  .object({
    RUNNER_EDGE_URL: z.url({ protocol: /^https?$/, error: "must be the edge's http(s) base URL" }),
    RUNNER_HMAC_SECRET: z.string().min(32, "must be at least 32 characters (the secret the edge verifies with)"),
    RUNNER_ID: z.string().min(1).max(120).optional(),
    /** The model name this runner serves (what jobs ask for), whatever folder it loads. */
    RUNNER_MODEL_NAME: z.string().min(1).max(64).default("stochedit-mini"),
    /** Jobs run at once; one per GPU unless the model is small enough to share it. */
    RUNNER_SLOTS: z.coerce.number().int().min(1).max(64).default(1),
    RUNNER_HEALTH_HOST: z.string().min(1).default("127.0.0.1"),
    /** 0 picks a free port (tests); the chosen one is logged. */
    RUNNER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
    /** Upper bound of the heartbeat interval; a third of the lease's TTL is used when that is shorter. */
    RUNNER_HEARTBEAT_MS: milliseconds(10_000),
    RUNNER_PROGRESS_MIN_MS: milliseconds(1_000),
    RUNNER_IDLE_BACKOFF_MIN_MS: milliseconds(250),
    RUNNER_IDLE_BACKOFF_MAX_MS: milliseconds(5_000),
    RUNNER_SHUTDOWN_GRACE_MS: milliseconds(30_000),
    RUNNER_HTTP_TIMEOUT_MS: milliseconds(30_000),
    RUNNER_MAX_DOWNLOAD_BYTES: z.coerce.number().int().min(1).max(uploadLimits.maxBytes).default(uploadLimits.maxBytes),
    /** Read by the model runtime; here only to check it agrees with STOCHEDIT_REQUIRE_GPU. */
    STOCHEDIT_EXECUTION_PROVIDER: z.string().optional(),
    /** "1": exit at start when CUDA was asked for and the sessions fell back to the CPU (production GPU pods). */
    STOCHEDIT_REQUIRE_GPU: z
      .enum(["", "0", "1", "false", "true"], { error: "must be 1 or true (required) or 0, false or empty (not)" })
      .default("0")
      .transform((value) => value === "1" || value === "true"),
  })
  .refine((env) => env.RUNNER_IDLE_BACKOFF_MIN_MS <= env.RUNNER_IDLE_BACKOFF_MAX_MS, {
    path: ["RUNNER_IDLE_BACKOFF_MAX_MS"],
    message: "must be at least RUNNER_IDLE_BACKOFF_MIN_MS",
  })
  .refine((env) => !env.STOCHEDIT_REQUIRE_GPU || env.STOCHEDIT_EXECUTION_PROVIDER?.toLowerCase() === "cuda", {
    path: ["STOCHEDIT_REQUIRE_GPU"],
    message: "requires STOCHEDIT_EXECUTION_PROVIDER=cuda",
  });

export interface RunnerConfig {
  /** Without a trailing slash. */
  readonly edgeUrl: string;
  readonly hmacSecret: string;
  readonly runnerId: string;
  readonly modelName: string;
  readonly slots: number;
  readonly health: { readonly host: string; readonly port: number };
  readonly heartbeatMaxMs: number;
  readonly progressMinMs: number;
  readonly idleBackoff: { readonly minMs: number; readonly maxMs: number };
  readonly shutdownGraceMs: number;
  readonly httpTimeoutMs: number;
  readonly maxDownloadBytes: number;
  /** Refuse to run when CUDA was asked for but the model runs on the CPU (STOCHEDIT_REQUIRE_GPU). */
  readonly requireGpu: boolean;
}

/** A setting that is missing or out of range; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function parseRunnerConfig(env: NodeJS.ProcessEnv): RunnerConfig {
  const parsed = RunnerEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`runner configuration is invalid: ${problems.join("; ")}`);
  }
  const v = parsed.data;
  return {
    edgeUrl: v.RUNNER_EDGE_URL.replace(/\/+$/, ""),
    hmacSecret: v.RUNNER_HMAC_SECRET,
    runnerId: v.RUNNER_ID ?? `${hostname()}-${process.pid}`,
    modelName: v.RUNNER_MODEL_NAME,
    slots: v.RUNNER_SLOTS,
    health: { host: v.RUNNER_HEALTH_HOST, port: v.RUNNER_HEALTH_PORT },
    heartbeatMaxMs: v.RUNNER_HEARTBEAT_MS,
    progressMinMs: v.RUNNER_PROGRESS_MIN_MS,
    idleBackoff: { minMs: v.RUNNER_IDLE_BACKOFF_MIN_MS, maxMs: v.RUNNER_IDLE_BACKOFF_MAX_MS },
    shutdownGraceMs: v.RUNNER_SHUTDOWN_GRACE_MS,
    httpTimeoutMs: v.RUNNER_HTTP_TIMEOUT_MS,
    maxDownloadBytes: v.RUNNER_MAX_DOWNLOAD_BYTES,
    requireGpu: v.STOCHEDIT_REQUIRE_GPU,
  };
}

/** Heartbeats go out at a third of the lease's TTL (two can be lost before it expires), capped by the setting. */
export function heartbeatIntervalMs(config: Pick<RunnerConfig, "heartbeatMaxMs">, leaseTtlMs: number): number {
  return Math.max(1, Math.min(config.heartbeatMaxMs, Math.floor(leaseTtlMs / 3)));
}
