/** @module model-folder: finds and checks the files of an SD ONNX folder as `optimum-cli export onnx` writes it. */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { JobFailure } from "../job-failure.js";

/** Every file the runtime needs, relative to the folder. */
export const requiredModelFiles = [
  "text_encoder/model.onnx",
  "unet/model.onnx",
  "vae_encoder/model.onnx",
  "vae_decoder/model.onnx",
  "tokenizer/vocab.json",
  "tokenizer/merges.txt",
] as const;

const exportHint =
  "an SD ONNX folder has text_encoder/, unet/, vae_encoder/ and vae_decoder/ (model.onnx each) and tokenizer/ " +
  "(vocab.json, merges.txt), as `optimum-cli export onnx` writes them";

/** The noise schedule the samplers implement (ALGORITHMS.md, section 1). */
const SchedulerConfig = z.looseObject({
  beta_schedule: z.literal("scaled_linear").optional(),
  beta_start: z.literal(0.00085).optional(),
  beta_end: z.literal(0.012).optional(),
  num_train_timesteps: z.literal(1000).optional(),
  prediction_type: z.literal("epsilon").optional(),
});
const VaeConfig = z.looseObject({ scaling_factor: z.number().positive().optional() });
const UnetConfig = z.looseObject({ in_channels: z.number().int().optional() });
const TokenName = z.union([z.string(), z.looseObject({ content: z.string() }).transform((t) => t.content)]);
const TokenizerConfig = z.looseObject({
  pad_token: TokenName.nullish(),
  model_max_length: z.number().int().optional(),
});
const Vocab = z.record(z.string(), z.number().int().nonnegative());

export interface ModelFolder {
  readonly dir: string;
  readonly textEncoderPath: string;
  readonly unetPath: string;
  readonly vaeEncoderPath: string;
  readonly vaeDecoderPath: string;
  readonly vocab: Record<string, number>;
  readonly merges: string;
  /** From tokenizer/special_tokens_map.json or tokenizer_config.json; SD 2.x names "!" here. */
  readonly padToken?: string;
  /** VAE latent scale: the vae config's scaling_factor, else SD's 0.18215. */
  readonly vaeScaleFactor: number;
  /** unet/config.json in_channels, when the ONNX shape leaves it symbolic. */
  readonly unetInChannels?: number;
}

/** SD 1.x and 2.x VAE latent scale. */
export const defaultVaeScaleFactor = 0.18215;

async function readJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new JobFailure("model_not_found", `${what} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JobFailure(
      "model_not_found",
      `${what} is not supported: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
    );
  }
  return parsed.data;
}

/** Reads the folder's layout and configs; a missing part or an unsupported config is a model_not_found failure. */
export async function readModelFolder(dirInput: string): Promise<ModelFolder> {
  const dir = resolve(dirInput);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new JobFailure("model_not_found", `model folder ${dir} does not exist; ${exportHint}`);
  }
  const missing = requiredModelFiles.filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) {
    throw new JobFailure("model_not_found", `model folder ${dir} lacks ${missing.join(", ")}; ${exportHint}`);
  }
  await readJson(join(dir, "scheduler/scheduler_config.json"), SchedulerConfig, "scheduler/scheduler_config.json");
  const vae =
    (await readJson(join(dir, "vae_decoder/config.json"), VaeConfig, "vae_decoder/config.json")) ??
    (await readJson(join(dir, "vae_encoder/config.json"), VaeConfig, "vae_encoder/config.json"));
  const unet = await readJson(join(dir, "unet/config.json"), UnetConfig, "unet/config.json");
  const special = await readJson(
    join(dir, "tokenizer/special_tokens_map.json"),
    TokenizerConfig,
    "tokenizer/special_tokens_map.json",
  );
  const tokenizerConfig = await readJson(
    join(dir, "tokenizer/tokenizer_config.json"),
    TokenizerConfig,
    "tokenizer/tokenizer_config.json",
  );
  const vocab = await readJson(join(dir, "tokenizer/vocab.json"), Vocab, "tokenizer/vocab.json");
  const padToken = special?.pad_token ?? tokenizerConfig?.pad_token ?? undefined;
  return {
    dir,
    textEncoderPath: join(dir, "text_encoder/model.onnx"),
    unetPath: join(dir, "unet/model.onnx"),
    vaeEncoderPath: join(dir, "vae_encoder/model.onnx"),
    vaeDecoderPath: join(dir, "vae_decoder/model.onnx"),
    vocab: vocab ?? {},
    merges: await readFile(join(dir, "tokenizer/merges.txt"), "utf8"),
    ...(padToken === undefined ? {} : { padToken }),
    vaeScaleFactor: vae?.scaling_factor ?? defaultVaeScaleFactor,
    ...(unet?.in_channels === undefined ? {} : { unetInChannels: unet.in_channels }),
  };
}
