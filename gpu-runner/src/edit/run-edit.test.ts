import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { previewSteps, stepsFromT0 } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskOf, pngOf } from "../image/image-fixtures.js";
import { JobCanceled } from "../job-failure.js";
import { closeSdModels, loadSdModel, type SdModel } from "../model/sd-model.js";
import { tinyModelSpecs } from "../model/tiny/tiny-model-spec.js";
import { ensureTinyModels } from "../model/tiny/write-tiny-model.js";
import type { StepProgress } from "../tasks/task.js";
import type { EditJob, EditSettings, PreviewImage } from "./edit-job.js";
import { runEdit } from "./run-edit.js";

const [width, height] = [72, 64];
/** Constant on each 8x8 patch: the tiny VAE encodes and decodes such an image exactly. */
const patchColour = (x: number, y: number) => {
  const [px, py] = [Math.floor(x / 8), Math.floor(y / 8)];
  return [(px * 37 + py * 11) % 256, (px * 13 + py * 59) % 256, (px * 91 + py * 7) % 256] as const;
};
/** Fill / editable region: the 8-pixel columns 2..4 (x 16..39), aligned to latent cells. */
const inRegion = (x: number) => x >= 16 && x < 40;

const base = { prompt: "a photo of a cat", steps: 10, guidance: 3, output_format: "png" } as const;
const settingsFor = (task: EditSettings["task"], sampler: "sde" | "ode"): EditSettings =>
  task === "drag"
    ? { ...base, task, sampler, t0: 0.6, points: [{ from: [20, 30], to: [36, 26] }] }
    : task === "inpaint"
      ? { ...base, task, sampler, t0: 1 }
      : { ...base, task, sampler, strength: 0.5 };

let root: string;
let image: Uint8Array;
let mask: Uint8Array;
let input: Buffer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-edit-"));
  await ensureTinyModels(root);
  image = await pngOf(width, height, patchColour);
  mask = await maskOf(width, height, inRegion);
  input = await rgbOf(image);
});
afterAll(async () => {
  await closeSdModels();
  await rm(root, { recursive: true, force: true });
});

async function rgbOf(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes).removeAlpha().raw().toBuffer();
}

/** Largest per-channel difference inside / outside the region between two RGB buffers. */
function differences(a: Buffer, b: Buffer) {
  let inside = 0;
  let outside = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.floor(i / 3) % width;
    const d = Math.abs(a[i]! - b[i]!);
    if (inRegion(x)) inside = Math.max(inside, d);
    else outside = Math.max(outside, d);
  }
  return { inside, outside };
}

const plainSpecs = tinyModelSpecs.filter((spec) => spec.unetInputChannels === 4);
const cases = plainSpecs.flatMap((spec) =>
  (["drag", "inpaint", "img2img"] as const).flatMap((task) =>
    (["sde", "ode"] as const).map((sampler) => ({ model: spec.name, precision: spec.precision, task, sampler })),
  ),
);

describe.each(cases)("$task / $sampler on $model", ({ model: name, precision, task, sampler }) => {
  let model: SdModel;
  beforeAll(async () => {
    model = await loadSdModel(join(root, name), { executionProvider: "cpu" });
  });

  it("edits the image, reports every step, and keeps what it must keep", async () => {
    const progress: StepProgress[] = [];
    const job: EditJob = {
      settings: settingsFor(task, sampler),
      image,
      seed: 7,
      ...(task !== "img2img" && { mask }),
    };
    const result = await runEdit(model, job, { onProgress: (p) => progress.push(p) });
    expect(result.size).toEqual({ width, height });
    const meta = await sharp(result.output).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", width, height]);

    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ step: progress.length, total: progress.length });

    const { inside, outside } = differences(await rgbOf(result.output), input);
    expect(inside).toBeGreaterThan(10);
    // Inpainting puts the clean input back outside the fill region, and drag its recorded latents outside the
    // mask; the tiny VAE restores patch-constant images exactly (fp16 I/O rounds a little).
    if (task !== "img2img") expect(outside).toBeLessThanOrEqual(precision === "float16" ? 3 : 1);
  });
});

describe("runEdit", () => {
  it("gives the same bytes for the same seed and other bytes for another seed", async () => {
    const model = await loadSdModel(join(root, "sd15-fp32"));
    const job = (seed: number): EditJob => ({ settings: settingsFor("img2img", "sde"), image, seed });
    const [first, again, other] = await Promise.all([
      runEdit(model, job(1)),
      runEdit(model, job(1)),
      runEdit(model, job(2)),
    ]);
    expect(Buffer.from(again.output).equals(Buffer.from(first.output))).toBe(true);
    expect(Buffer.from(other.output).equals(Buffer.from(first.output))).toBe(false);
  });

  it("gives the same bytes with the sessions on its own thread (as on CUDA) as in a worker thread, for every task", async () => {
    const [inWorker, onMain] = await Promise.all(
      (["worker", "main"] as const).map((sessionThread) =>
        loadSdModel(join(root, "sd15-fp16"), { executionProvider: "cpu", sessionThread }),
      ),
    );
    expect([inWorker!.sessionThread, onMain!.sessionThread]).toEqual(["worker", "main"]);
    for (const task of ["drag", "inpaint", "img2img"] as const) {
      const job: EditJob = { settings: settingsFor(task, "sde"), image, seed: 5, ...(task !== "img2img" && { mask }) };
      const [a, b] = [await runEdit(inWorker!, job), await runEdit(onMain!, job)];
      expect(Buffer.from(b.output).equals(Buffer.from(a.output)), task).toBe(true);
    }
  });

  it("sends the asked previews in order as small JPEGs, counts their time, and leaves the output as it was", async () => {
    const model = await loadSdModel(join(root, "sd15-fp32"));
    const job: EditJob = { settings: settingsFor("drag", "ode"), image, seed: 4 };
    const previews: PreviewImage[] = [];
    const [plain, previewed] = await Promise.all([
      runEdit(model, job),
      runEdit(model, job, { previews: { count: 3, onPreview: (p) => previews.push(p) } }),
    ]);
    expect(Buffer.from(previewed.output).equals(Buffer.from(plain.output))).toBe(true);

    // One drag operation of 6 steps (steps 10 from t0 0.6): the copy-pasted start, then 3 previewed steps.
    const denoising = stepsFromT0(10, 0.6);
    expect(previews.map(({ index, step, total }) => ({ index, step, total }))).toEqual(
      [0, ...previewSteps(3, denoising)].map((step, index) => ({ index, step, total: denoising })),
    );
    for (const preview of previews) {
      // The 72x64 image is below the preview limit, so previews keep its size.
      expect(await sharp(preview.jpeg).metadata()).toMatchObject({ format: "jpeg", width, height });
      expect(preview).toMatchObject({ width, height });
    }
    expect(previewed.previewSeconds).toBeGreaterThan(0);
    expect(plain.previewSeconds).toBe(0);
  });

  it("inpaints with a 9-channel UNet, keeping the region outside the mask", async () => {
    const model = await loadSdModel(join(root, "inpaint-fp32"));
    const result = await runEdit(model, { settings: settingsFor("inpaint", "sde"), image, mask, seed: 3 });
    const { inside, outside } = differences(await rgbOf(result.output), input);
    expect(inside).toBeGreaterThan(10);
    expect(outside).toBeLessThanOrEqual(1);
  });

  it("stops between steps once the signal is aborted", async () => {
    const model = await loadSdModel(join(root, "sd15-fp32"));
    const aborter = new AbortController();
    const steps: number[] = [];
    const editing = runEdit(
      model,
      { settings: settingsFor("drag", "sde"), image, seed: 1 },
      {
        signal: aborter.signal,
        onProgress: ({ step }) => {
          steps.push(step);
          if (step === 2) aborter.abort();
        },
      },
    );
    await expect(editing).rejects.toBeInstanceOf(JobCanceled);
    await expect(editing).rejects.toThrow(/^canceled after 2 of \d+ steps$/);
    expect(steps).toEqual([1, 2]);
  });

  it("fails with a typed error before any model work for bad points, masks and missing masks", async () => {
    const model = await loadSdModel(join(root, "sd15-fp32"));
    const drag = settingsFor("drag", "sde");
    const outside = { ...drag, points: [{ from: [10, 10], to: [72, 10] }] } as EditSettings;
    await expect(runEdit(model, { settings: outside, image, seed: 1 })).rejects.toMatchObject({
      code: "points_outside_image",
      message: expect.stringMatching(/\[72, 10\] lies outside the 72x64 image/),
    });
    await expect(runEdit(model, { settings: settingsFor("inpaint", "ode"), image, seed: 1 })).rejects.toMatchObject({
      code: "mask_missing",
    });
    const smallMask = await maskOf(64, 64, () => true);
    await expect(
      runEdit(model, { settings: settingsFor("inpaint", "ode"), image, mask: smallMask, seed: 1 }),
    ).rejects.toMatchObject({ code: "mask_size_mismatch" });
    const inpaintModel = await loadSdModel(join(root, "inpaint-fp32"));
    await expect(runEdit(inpaintModel, { settings: drag, image, seed: 1 })).rejects.toMatchObject({
      code: "invalid_parameters",
    });
  });
});
