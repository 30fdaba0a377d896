/** @module write-tiny-model: writes generated models as SD ONNX folders laid out like optimum's export. */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { clipEndToken, clipStartToken } from "../clip-tokenizer.js";
import { seededWeights } from "./seeded-weights.js";
import { type TinyModelSpec, tinyDimensions, tinyModelSpecs } from "./tiny-model-spec.js";
import { tinyTextEncoder } from "./tiny-text-encoder.js";
import { tinyUnet } from "./tiny-unet.js";
import { tinyVae } from "./tiny-vae.js";
import { tinyClipVocab } from "./tiny-vocab.js";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Bump when the generated graphs or files change, so that `ensureTinyModels` replaces older copies. */
export const tinyGeneratorVersion = 1;

/** Every file of one variant, path relative to the model folder -> contents. */
export function tinyModelFiles(spec: TinyModelSpec): Map<string, Uint8Array | string> {
  const { vocab, merges } = tinyClipVocab();
  const vocabSize = Object.keys(vocab).length;
  const weights = seededWeights(spec.seed);
  const vae = tinyVae(spec, weights);
  const vaeConfig = {
    _class_name: "AutoencoderKL",
    in_channels: 3,
    out_channels: 3,
    latent_channels: tinyDimensions.latentChannels,
    scaling_factor: tinyDimensions.vaeScaleFactor,
  };
  const padToken = spec.padding === "sd1" ? clipEndToken : "!";
  return new Map<string, Uint8Array | string>([
    [
      "model_index.json",
      json({
        _class_name: "ORTStableDiffusionPipeline",
        _generated_by: "stochedit tiny model generator",
        _generator_version: tinyGeneratorVersion,
        variant: spec.name,
        text_encoder: ["optimum", "ORTModelTextEncoder"],
        unet: ["optimum", "ORTModelUnet"],
        vae_encoder: ["optimum", "ORTModelVaeEncoder"],
        vae_decoder: ["optimum", "ORTModelVaeDecoder"],
        tokenizer: ["transformers", "CLIPTokenizer"],
        scheduler: ["diffusers", "PNDMScheduler"],
      }),
    ],
    [
      "scheduler/scheduler_config.json",
      json({
        _class_name: "PNDMScheduler",
        beta_start: 0.00085,
        beta_end: 0.012,
        beta_schedule: "scaled_linear",
        num_train_timesteps: 1000,
        prediction_type: "epsilon",
        set_alpha_to_one: false,
        skip_prk_steps: true,
        steps_offset: 1,
      }),
    ],
    ["text_encoder/model.onnx", tinyTextEncoder(spec, vocabSize, weights)],
    [
      "text_encoder/config.json",
      json({
        architectures: ["CLIPTextModel"],
        hidden_size: tinyDimensions.textHiddenSize,
        max_position_embeddings: tinyDimensions.contextLength,
        vocab_size: vocabSize,
        bos_token_id: vocab[clipStartToken],
        eos_token_id: vocab[clipEndToken],
      }),
    ],
    ["unet/model.onnx", tinyUnet(spec, weights)],
    [
      "unet/config.json",
      json({
        _class_name: "UNet2DConditionModel",
        in_channels: spec.unetInputChannels,
        out_channels: tinyDimensions.latentChannels,
        cross_attention_dim: tinyDimensions.textHiddenSize,
      }),
    ],
    ["vae_encoder/model.onnx", vae.encoder],
    ["vae_encoder/config.json", json(vaeConfig)],
    ["vae_decoder/model.onnx", vae.decoder],
    ["vae_decoder/config.json", json(vaeConfig)],
    ["tokenizer/vocab.json", json(vocab)],
    ["tokenizer/merges.txt", merges],
    [
      "tokenizer/special_tokens_map.json",
      json({ bos_token: clipStartToken, eos_token: clipEndToken, unk_token: clipEndToken, pad_token: padToken }),
    ],
    [
      "tokenizer/tokenizer_config.json",
      json({
        tokenizer_class: "CLIPTokenizer",
        model_max_length: tinyDimensions.contextLength,
        do_lower_case: true,
        bos_token: clipStartToken,
        eos_token: clipEndToken,
        unk_token: clipEndToken,
        pad_token: padToken,
      }),
    ],
  ]);
}

/** Writes one variant into `dir` (created; existing files are overwritten). */
export async function writeTinyModel(dir: string, spec: TinyModelSpec): Promise<void> {
  for (const [relative, contents] of tinyModelFiles(spec)) {
    const path = join(dir, relative);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, contents);
  }
}

async function isCurrent(dir: string): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(join(dir, "model_index.json"), "utf8")) as Record<string, unknown>;
    return index._generator_version === tinyGeneratorVersion;
  } catch {
    return false;
  }
}

/**
 * Makes sure `root/<name>` holds every variant from this generator version, generating the others. Each folder
 * is written under a temporary name and renamed into place, so concurrent readers never see half a model.
 */
export async function ensureTinyModels(root: string, specs: readonly TinyModelSpec[] = tinyModelSpecs): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const spec of specs) {
    const target = join(root, spec.name);
    if (await isCurrent(target)) continue;
    const staging = await mkdtemp(join(root, `.${spec.name}-`));
    await writeTinyModel(staging, spec);
    await rm(target, { recursive: true, force: true });
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process put the same variant in place first; its copy is identical.
      await rm(staging, { recursive: true, force: true });
      if (!(await isCurrent(target))) throw error;
    }
  }
}
