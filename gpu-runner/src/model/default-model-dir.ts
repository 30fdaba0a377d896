/** @module default-model-dir: which model folder a runner or the CLI uses when none is named. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { requiredModelFiles } from "./model-folder.js";
import { defaultTinyModelName } from "./tiny/tiny-model-spec.js";
import { ensureTinyModels } from "./tiny/write-tiny-model.js";

/** The repository's models/ folder (this file is gpu-runner/src/model/default-model-dir.ts). */
export const modelsRoot = fileURLToPath(new URL("../../../models/", import.meta.url));
/** Generated models (gitignored), written by `npm run models:tiny` or on first use. */
export const tinyModelsRoot = `${modelsRoot}tiny`;
/** The trained mini model, committed once it exists. */
export const miniModelDir = `${modelsRoot}stochedit-mini`;

/**
 * STOCHEDIT_MODEL_DIR when set, else models/stochedit-mini when present, else the generated tiny model
 * (generated now if missing). `log` hears which one was picked and why.
 */
export async function defaultModelDir(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => {},
): Promise<string> {
  const fromEnv = env.STOCHEDIT_MODEL_DIR;
  if (fromEnv) return fromEnv;
  if (requiredModelFiles.every((file) => existsSync(`${miniModelDir}/${file}`))) {
    log(
      "the embedded stochedit-mini draws 128x128 emoji, not photos: for photos set STOCHEDIT_MODEL_DIR (the CLI: " +
        '--model) to a Stable Diffusion 1.5 ONNX folder (README, "Your first edits")',
    );
    return miniModelDir;
  }
  const tinyDir = `${tinyModelsRoot}/${defaultTinyModelName}`;
  if (!existsSync(`${tinyDir}/model_index.json`)) log(`generating the tiny test models in ${tinyModelsRoot}`);
  await ensureTinyModels(tinyModelsRoot);
  return tinyDir;
}
