/**
 * @module gpu-bench: the project's edit pipeline (loadSdModel + runEdit) on one model folder and provider: SDE-Drag
 * (API defaults and the fast preset), ODE-Drag, inpaint and img2img at 512x512 with the API's defaults, one JSON line
 * per run, then the table (README, "GPU benchmark"). Bundled by build.mjs into app/bench.mjs; runs from source too (npx tsx bench/gpu/gpu-bench.ts).
 *
 * usage: bench MODEL_DIR cuda|cpu [--steps N] [--runs N] [--only sde]
 *   --steps N: every task's steps (default: the API's task defaults), for quick CPU checks of the bench itself.
 *   --runs N:  runs per drag sampler (default 3; the median is reported).
 *   --only sde: the SDE-Drag runs alone (a short comparison run).
 * GPU memory: nvidia-smi's used memory of this process (and of the whole GPU) after each task; ONNX Runtime's arena
 * only grows, so the figure after a task is the most it needed so far. null where nvidia-smi is missing.
 * Exit codes: 0 ok; 2 usage; 3 CUDA asked for but the sessions run on the CPU; 4 CUDA provider of another ONNX Runtime
 * version; 1 anything else.
 */

import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { presetTable, taskDefaults } from "@stochedit/shared";
import sharp from "sharp";
import type { EditJob, EditSettings } from "../../gpu-runner/src/edit/edit-job.js";
import { runEdit } from "../../gpu-runner/src/edit/run-edit.js";
import { CudaProviderMismatch, cudaProviderMismatchExitCode } from "../../gpu-runner/src/model/cuda-provider.js";
import { closeSdModels, loadSdModel, type SdModel } from "../../gpu-runner/src/model/sd-model.js";

const side = 512;
const usageLine = "usage: bench MODEL_DIR cuda|cpu [--steps N] [--runs N] [--only sde]";

function usage(message: string): never {
  process.stderr.write(`${message}\n${usageLine}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const positional: string[] = [];
let stepsOverride: number | undefined;
let runCount = 3;
let sdeOnly = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--steps") stepsOverride = Number(args[++i]);
  else if (arg === "--runs") runCount = Number(args[++i]);
  else if (arg === "--only") {
    if (args[++i] !== "sde") usage("--only takes sde");
    sdeOnly = true;
  } else if (arg.startsWith("--")) usage(`unknown flag ${arg}`);
  else positional.push(arg);
}
const [modelDir, provider] = positional;
if (!modelDir || (provider !== "cuda" && provider !== "cpu") || positional.length !== 2) {
  usage("expected MODEL_DIR and an execution provider (cuda or cpu)");
}
if (stepsOverride !== undefined && !(Number.isInteger(stepsOverride) && stepsOverride >= 1)) usage("--steps N");
if (!(Number.isInteger(runCount) && runCount >= 1)) usage("--runs N");

// The bundle carries the photo beside bench.mjs; from source it is the runner's test fixture.
const photoPaths = [
  new URL("./sculpture.jpg", import.meta.url),
  new URL("../../gpu-runner/test-fixtures/sculpture.jpg", import.meta.url),
];
const emit = (record: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(record)}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const peakRssMiB = () => round(process.resourceUsage().maxRSS / 1024, 1);

interface GpuMemory {
  /** This process's GPU memory (MiB), as nvidia-smi lists compute processes. */
  readonly processMiB: number | null;
  /** The whole GPU's used memory (MiB). */
  readonly deviceMiB: number | null;
}

function gpuMemory(): GpuMemory {
  const query = (flags: string[]) => {
    try {
      return execFileSync("nvidia-smi", [...flags, "--format=csv,noheader,nounits"], { encoding: "utf8" });
    } catch {
      return undefined;
    }
  };
  const apps = query(["--query-compute-apps=pid,used_memory"]);
  const own = apps
    ?.split("\n")
    .map((line) => line.split(",").map((field) => Number(field.trim())))
    .find(([pid]) => pid === process.pid);
  const device = query(["--query-gpu=memory.used"])?.split("\n")[0]?.trim();
  return { processMiB: own?.[1] ?? null, deviceMiB: device ? Number(device) : null };
}

interface SessionTimes {
  calls: number;
  runMs: number;
  roundTripMs: number;
}

function snapshot(model: SdModel): Record<string, SessionTimes> {
  return Object.fromEntries([...model.timings()].map(([name, t]) => [name, { ...t }]));
}

async function readPhoto(): Promise<Buffer> {
  for (const path of photoPaths) {
    try {
      return await readFile(path);
    } catch {}
  }
  throw new Error("sculpture.jpg is neither beside the bench nor in gpu-runner/test-fixtures");
}

async function main(): Promise<void> {
  const image = await sharp(await readPhoto())
    .resize(side, side)
    .png()
    .toBuffer();
  // Inpaint mask: single channel, 255 = fill; a centred 192x192 square.
  const maskPixels = Buffer.alloc(side * side, 0);
  for (let y = 160; y < 352; y++) maskPixels.fill(255, y * side + 160, y * side + 352);
  const mask = await sharp(maskPixels, { raw: { width: side, height: side, channels: 1 } })
    .png()
    .toBuffer();

  const logLines: string[] = [];
  const loadStarted = performance.now();
  const model = await loadSdModel(modelDir!, {
    executionProvider: provider as "cuda" | "cpu",
    log: (line) => {
      logLines.push(line);
      process.stderr.write(`[model] ${line}\n`);
    },
  });
  emit({
    kind: "load",
    modelDir,
    askedProvider: provider,
    executionProvider: model.executionProvider,
    sessionThread: model.sessionThread,
    loadMs: round(performance.now() - loadStarted),
    description: model.description,
    gpuMemory: gpuMemory(),
    peakRssMiB: peakRssMiB(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
  });
  if (provider === "cuda" && model.executionProvider !== "cuda") {
    const reason = logLines.find((line) => line.startsWith("CUDA was asked for")) ?? "no reason logged";
    process.stderr.write(`FAILED: CUDA was asked for but the sessions run on ${model.executionProvider}: ${reason}\n`);
    await closeSdModels();
    process.exit(3);
  }

  const steps = (defaultSteps: number) => stepsOverride ?? defaultSteps;
  // The suggested drag on this photo (480,300 -> 480,240 at 1000 px), scaled to 512 px, as in bench/drag-512.ts.
  const drag = (sampler: "sde" | "ode", stepCount = steps(taskDefaults.drag.steps)): EditSettings => ({
    task: "drag",
    prompt: "a marble sculpture of a head",
    sampler,
    ...taskDefaults.drag,
    steps: stepCount,
    points: [{ from: [246, 154], to: [246, 123] }],
    output_format: "png",
  });
  const inpaint = (stepCount: number): EditSettings => ({
    task: "inpaint",
    prompt: "a marble sculpture of a head",
    sampler: "sde",
    ...taskDefaults.inpaint,
    steps: stepCount,
    output_format: "png",
  });
  // img2img has no default strength: 0.75 here.
  const img2img = (stepCount: number): EditSettings => ({
    task: "img2img",
    prompt: "a bronze sculpture of a head",
    sampler: "sde",
    ...taskDefaults.img2img,
    steps: stepCount,
    strength: 0.75,
    output_format: "png",
  });

  async function measure(label: string, settings: EditSettings, withMask = false) {
    const job: EditJob = { settings, image, seed: 1, ...(withMask ? { mask } : {}) };
    const before = snapshot(model);
    const started = performance.now();
    const result = await runEdit(model, job, {});
    const totalMs = performance.now() - started;
    const sessions: Record<string, SessionTimes> = {};
    for (const [name, a] of Object.entries(snapshot(model))) {
      const b = before[name] ?? { calls: 0, runMs: 0, roundTripMs: 0 };
      sessions[name] = {
        calls: a.calls - b.calls,
        runMs: round(a.runMs - b.runMs),
        roundTripMs: round(a.roundTripMs - b.roundTripMs),
      };
    }
    const sum = (key: "runMs" | "roundTripMs") => Object.values(sessions).reduce((t, s) => t + s[key], 0);
    const unet = sessions.unet ?? { calls: 0, runMs: 0, roundTripMs: 0 };
    const record = {
      kind: "run",
      label,
      task: settings.task,
      sampler: settings.sampler,
      steps: settings.steps,
      executionProvider: model.executionProvider,
      totalMs: round(totalMs),
      unetMs: unet.runMs,
      unetCalls: unet.calls,
      unetMsPerCall: unet.calls ? round(unet.runMs / unet.calls, 2) : null,
      /** The text encoder's and the VAE's time inside session.run. */
      otherSessionsMs: round(sum("runMs") - unet.runMs),
      /** Worker round trips beyond the time inside session.run. */
      transferMs: round(sum("roundTripMs") - sum("runMs")),
      /** Everything outside the model calls and their transfers: sampler math, tensor packing, image I/O. */
      ownJsMs: round(totalMs - sum("roundTripMs")),
      sessions,
      gpuMemory: gpuMemory(),
      outputBytes: result.output.length,
      peakRssMiB: peakRssMiB(),
    };
    emit(record);
    return record;
  }

  type Run = Awaited<ReturnType<typeof measure>>;
  const table: { task: string; run: Run; runs: number }[] = [];
  function median(task: string, runs: Run[]): void {
    const sorted = [...runs].sort((a, b) => a.totalMs - b.totalMs);
    const middle = sorted[Math.floor(sorted.length / 2)]!;
    emit({
      ...middle,
      kind: "median",
      task,
      count: runs.length,
      minMs: sorted[0]!.totalMs,
      maxMs: sorted.at(-1)!.totalMs,
    });
    table.push({ task, run: middle, runs: runs.length });
  }
  const repeat = async (label: string, settings: () => EditSettings, count: number) => {
    const runs: Run[] = [];
    for (let i = 0; i < count; i++) runs.push(await measure(`${label}-${i + 1}`, settings()));
    return runs;
  };

  const benchStarted = performance.now();
  // Each task's first run of its shapes pays for allocations and cuDNN's algorithm search: a short warm-up first.
  const warmupSteps = (defaultSteps: number) => Math.min(steps(defaultSteps), 10);
  await measure("warmup-drag-sde", drag("sde", warmupSteps(taskDefaults.drag.steps)));
  median("SDE-Drag", await repeat("drag-sde", () => drag("sde"), runCount));
  // The fast preset's grid (its t0 is the default's): the issue-20 target is at most 0.8 s on the GPU.
  const fastSteps = steps(presetTable.drag.fast.steps);
  median(
    `SDE-Drag, preset fast (${fastSteps} steps)`,
    await repeat("drag-sde-fast", () => drag("sde", fastSteps), runCount),
  );
  if (!sdeOnly) {
    await measure("warmup-drag-ode", drag("ode", warmupSteps(taskDefaults.drag.steps)));
    median("ODE-Drag", await repeat("drag-ode", () => drag("ode"), runCount));
    await measure("warmup-inpaint-sde", inpaint(Math.min(steps(taskDefaults.inpaint.steps), 5)), true);
    median(`inpaint SDE ${steps(taskDefaults.inpaint.steps)} steps`, [
      await measure("inpaint-sde", inpaint(steps(taskDefaults.inpaint.steps)), true),
    ]);
    await measure("warmup-img2img-sde", img2img(Math.min(steps(taskDefaults.img2img.steps), 5)));
    median("img2img SDE 0.75", [await measure("img2img-sde", img2img(steps(taskDefaults.img2img.steps)))]);
  }
  await closeSdModels();
  emit({
    kind: "done",
    benchMs: round(performance.now() - benchStarted),
    peakRssMiB: peakRssMiB(),
    loadAverage: round(loadavg()[0]!, 2),
  });

  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `| edit, ${side}x${side}, ${model.executionProvider} | UNet calls | total | inside the UNet | other sessions | around session calls (${model.sessionThread === "worker" ? "worker hand-offs" : "own thread"}) | our own JS | GPU memory after (process / device) |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...table.map(({ task, run, runs }) => {
      const memory = `${run.gpuMemory.processMiB ?? "-"} / ${run.gpuMemory.deviceMiB ?? "-"} MiB`;
      return `| ${task}${runs > 1 ? ` (median of ${runs})` : ""} | ${run.unetCalls} | ${seconds(run.totalMs)} | ${seconds(run.unetMs)} (${run.unetMsPerCall} ms/call) | ${seconds(run.otherSessionsMs)} | ${seconds(run.transferMs)} | ${seconds(run.ownJsMs)} | ${memory} |`;
    }),
  ];
  process.stdout.write(`\n${lines.join("\n")}\n`);
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`FAILED: ${message}\n`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  await closeSdModels().catch(() => {});
  process.exit(error instanceof CudaProviderMismatch ? cudaProviderMismatchExitCode : 1);
});
