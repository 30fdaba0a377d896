/** @module config: the worker's vars and secrets, checked with zod once per isolate (a trust boundary). */
import { z } from "zod";

/** Cloudflare Queues' largest retry or send delay. */
export const maxQueueDelaySeconds = 43_200;

const commaList = z
  .string()
  .transform((s) => s.split(",").map((name) => name.trim()))
  .pipe(z.array(z.string().min(1)).min(1));

const EdgeConfig = z.object({
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, "")),
  S3_BUCKET: z.string(),
  S3_REGION: z.string().min(1),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  DEFAULT_MODEL: z.string().min(1),
  SERVED_MODELS: commaList,
  TEST_MODEL: z.string().min(1),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1),
  IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1),
  LEASE_TTL_MS: z.coerce.number().int().min(100).max(3_600_000),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20),
  QUEUED_JOB_TTL_MS: z.coerce.number().int().min(1000),
  PROGRESS_WRITE_MIN_MS: z.coerce.number().int().min(0),
  SSE_POLL_MS: z.coerce.number().int().min(10).max(60_000),
  WEBHOOK_RETRY_DELAYS_SECONDS: commaList.pipe(
    // Queues' retry delay is at most 12 h; 0 would retry at once.
    z.array(z.coerce.number<string>().int().min(0).max(maxQueueDelaySeconds)),
  ),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000),
  WEBHOOK_ALLOW_LOCALHOST: z.enum(["true", "false"]).transform((flag) => flag === "true"),
});

export interface EdgeConfig {
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };
  defaultModel: string;
  servedModels: string[];
  /** What every test-mode (sk_test_) edit runs on: a small deterministic model with its own runners. */
  testModel: string;
  rateLimitPerMinute: number;
  /** Requests per minute from one client address, counted before authentication. */
  ipRateLimitPerMinute: number;
  dispatch: DispatchConfig;
  webhooks: WebhookConfig;
  ssePollMs: number;
}

export interface DispatchConfig {
  leaseTtlMs: number;
  maxAttempts: number;
  queuedJobTtlMs: number;
  progressWriteMinMs: number;
}

export interface WebhookConfig {
  /** The wait before retry n (n = 1, 2, ...) is retryDelaysSeconds[n - 1]; after the last one, no more tries. */
  retryDelaysSeconds: number[];
  timeoutMs: number;
  /** Dev only: webhooks may go to localhost and loopback addresses, over http too. */
  allowLocalhost: boolean;
}

/** Parsed once per `env` object: the runtime hands the same one to every request of an isolate, and vars never change. */
const parsedConfigs = new WeakMap<Env, EdgeConfig>();

/** Throws a message naming every bad var, so a misconfigured deployment fails loudly (as a 500) on first use. */
export function readConfig(env: Env): EdgeConfig {
  let config = parsedConfigs.get(env);
  if (!config) {
    config = parseConfig(env);
    parsedConfigs.set(env, config);
  }
  return config;
}

function parseConfig(env: Env): EdgeConfig {
  const parsed = EdgeConfig.safeParse(env);
  if (!parsed.success) {
    const bad = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`edge configuration is invalid: ${bad}`);
  }
  const v = parsed.data;
  return {
    s3: {
      endpoint: v.S3_ENDPOINT,
      bucket: v.S3_BUCKET,
      region: v.S3_REGION,
      accessKeyId: v.S3_ACCESS_KEY_ID,
      secretAccessKey: v.S3_SECRET_ACCESS_KEY,
    },
    defaultModel: v.DEFAULT_MODEL,
    servedModels: v.SERVED_MODELS,
    testModel: v.TEST_MODEL,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    ipRateLimitPerMinute: v.IP_RATE_LIMIT_PER_MINUTE,
    dispatch: {
      leaseTtlMs: v.LEASE_TTL_MS,
      maxAttempts: v.MAX_ATTEMPTS,
      queuedJobTtlMs: v.QUEUED_JOB_TTL_MS,
      progressWriteMinMs: v.PROGRESS_WRITE_MIN_MS,
    },
    webhooks: {
      retryDelaysSeconds: v.WEBHOOK_RETRY_DELAYS_SECONDS,
      timeoutMs: v.WEBHOOK_TIMEOUT_MS,
      allowLocalhost: v.WEBHOOK_ALLOW_LOCALHOST,
    },
    ssePollMs: v.SSE_POLL_MS,
  };
}
