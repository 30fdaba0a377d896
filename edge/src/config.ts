/** @module config: the worker's vars and secrets, checked with zod once per request (a trust boundary). */
import { z } from "zod";

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
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1),
});

export interface EdgeConfig {
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };
  defaultModel: string;
  servedModels: string[];
  rateLimitPerMinute: number;
}

/** Throws a message naming every bad var, so a misconfigured deployment fails loudly (as a 500) on first use. */
export function readConfig(env: Env): EdgeConfig {
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
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
  };
}
