#!/usr/bin/env tsx
/** @module cli: `stochedit-run edit drag|inpaint|img2img ...`: one edit on local files, no server. */
import { randomInt } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { editLimits, type JobErrorCode, presetTable } from "@stochedit/shared";
import { parseEditArguments, UsageError } from "./edit/edit-arguments.js";
import { progressBar } from "./edit/progress-bar.js";
import { runEdit } from "./edit/run-edit.js";
import { JobCanceled, JobFailure } from "./job-failure.js";
import { CudaProviderMismatch } from "./model/cuda-provider.js";
import { defaultModelDir } from "./model/default-model-dir.js";
import { closeSdModels, loadSdModel } from "./model/sd-model.js";

/** What scripts can rely on. */
const exitCodes = {
  ok: 0,
  /** A bug or an environment problem (the message has the details). */
  internal: 1,
  /** Bad command line: unknown flag, missing or out-of-range value. */
  usage: 2,
  /** The input cannot be edited: unreadable or oversized image, bad mask, points outside, prompt too long. */
  input: 3,
  /** The model folder is missing, incomplete or unsupported, or the model failed while running. */
  model: 4,
  /** Interrupted (Ctrl-C). */
  canceled: 130,
} as const;

const modelErrorCodes: readonly JobErrorCode[] = ["model_not_found", "model_error"];

const usage = `usage: stochedit-run edit drag|inpaint|img2img --image in.png --out out.png [options]

  --model DIR          SD ONNX folder (default: $STOCHEDIT_MODEL_DIR, else models/stochedit-mini,
                       else the generated tiny model)
  --image FILE         PNG, JPEG or WebP
  --mask FILE          single-channel, same size as the image; 255 = editable (drag) / fill (inpaint)
  --from x,y --to x,y  drag: source and target in image pixels (repeat for more pairs)
  --prompt TEXT        what the result should show (at most 77 CLIP tokens)
  --sampler sde|ode    default sde
  --seed N             default: random (printed)
  --preset P           fast|standard|best: the --steps (and --t0) taken when not given; default standard
  --steps N            time grid over [0, T]; fast/standard/best: ${gridsOf("drag")} (drag),
                       ${gridsOf("inpaint")} (inpaint), ${gridsOf("img2img")} (img2img)
  --t0 F               drag and inpaint start level (drag 0.6, inpaint 1.0)
  --strength F         img2img start level (required)
  --guidance F         classifier-free guidance (drag 3, others 7.5)
  --format png|jpeg|webp  default: from --out's extension
  --device cpu|cuda    default: $STOCHEDIT_EXECUTION_PROVIDER or cpu (cuda falls back to cpu if unavailable)
  --threads N          ONNX Runtime threads per session
  -q, --quiet          no progress on stderr

stdout: one JSON line {out, width, height, format, seed, seconds}; progress and errors go to stderr.
exit codes: 0 ok, 1 internal error, 2 usage, 3 input error (code printed), 4 model error, 130 interrupted`;

/** "25/200/400": a task's grid in each preset, for the usage text. */
function gridsOf(task: keyof typeof presetTable): string {
  const { fast, standard, best } = presetTable[task];
  return [fast, standard, best].map((p) => p.steps).join("/");
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    return argv.length === 0 ? exitCodes.usage : exitCodes.ok;
  }
  const args = parseEditArguments(argv);
  const outDir = dirname(resolve(args.outPath));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) {
    throw new UsageError(`--out ${args.outPath}: the folder ${outDir} does not exist`);
  }
  const image = await readInput(args.imagePath, "image_missing", "--image");
  const mask = args.maskPath === undefined ? undefined : await readInput(args.maskPath, "mask_missing", "--mask");
  /** Which model and how it loads (stderr; -q silences it with the progress). */
  const log = (line: string) => {
    if (!args.quiet) process.stderr.write(`${line}\n`);
  };

  const started = performance.now();
  const model = await loadSdModel(args.modelDir ?? (await defaultModelDir(process.env, log)), {
    ...(args.executionProvider && { executionProvider: args.executionProvider }),
    ...(args.threads && { intraOpThreads: args.threads }),
    log,
  });
  const aborter = new AbortController();
  process.once("SIGINT", () => aborter.abort());
  const bar = progressBar(process.stderr, started);
  const seed = args.seed ?? randomInt(editLimits.seedMax);
  try {
    const result = await runEdit(
      model,
      { settings: args.settings, image, seed, ...(mask && { mask }) },
      { signal: aborter.signal, ...(!args.quiet && { onProgress: (p) => bar.update(p) }) },
    );
    bar.finish();
    await writeFile(args.outPath, result.output);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
    const summary = { out: resolve(args.outPath), ...result.size, format: result.format, seed, seconds };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return exitCodes.ok;
  } finally {
    bar.finish();
  }
}

async function readInput(path: string, missing: JobErrorCode, flag: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new JobFailure(missing, `${flag} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** Prints the error the way a script can parse it (`error <code>: message`) and returns the exit code. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error usage: ${error.message}\n(run with --help for the options)\n`);
    return exitCodes.usage;
  }
  if (error instanceof JobFailure) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    return modelErrorCodes.includes(error.code) ? exitCodes.model : exitCodes.input;
  }
  if (error instanceof CudaProviderMismatch) {
    process.stderr.write(`error model_error: ${error.message}\n`);
    return exitCodes.model;
  }
  if (error instanceof JobCanceled) {
    process.stderr.write(`canceled: ${error.message}\n`);
    return exitCodes.canceled;
  }
  process.stderr.write(`error internal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return exitCodes.internal;
}

const code = await main(process.argv.slice(2)).catch(report);
await closeSdModels();
process.exitCode = code;
