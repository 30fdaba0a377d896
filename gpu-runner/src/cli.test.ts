import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskOf, pngClaiming, pngOf } from "./image/image-fixtures.js";
import { ensureTinyModels } from "./model/tiny/write-tiny-model.js";

/** tsx's loader, by URL so that it resolves from any working directory. */
const tsxLoader = import.meta.resolve("tsx");
const cliPath = fileURLToPath(new URL("./cli.ts", import.meta.url));
const photoPath = fileURLToPath(new URL("../test-fixtures/sculpture.jpg", import.meta.url));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `stochedit-run` as a real process: node with tsx's loader, as the bin's `tsx` shebang does. */
function stochEditRun(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsxLoader, cliPath, ...args],
      { env: { ...process.env, STOCHEDIT_ORT_THREADS: "1", ...env }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
let models: string;
const file = (name: string) => join(dir, name);
/** Patch-constant (the tiny VAE restores it exactly) and 70x65 (the working size is 72x64). */
const colour = (x: number, y: number) => [(x >> 3) * 29, (y >> 3) * 31, 128] as const;
const region = (x: number) => x >= 16 && x < 40;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stochedit-cli-"));
  models = join(dir, "models");
  await ensureTinyModels(models);
  await writeFile(file("in.png"), await pngOf(70, 65, colour));
  await writeFile(file("in-72.png"), await pngOf(72, 64, colour));
  await writeFile(file("mask.png"), await maskOf(70, 65, region));
  await writeFile(file("mask-72.png"), await maskOf(72, 64, region));
  const photo = await readFile(photoPath);
  await writeFile(file("truncated.jpg"), photo.subarray(0, photo.length >> 1));
  await writeFile(file("bomb.png"), pngClaiming(100_000, 100_000));
  await cp(join(models, "sd15-fp32"), file("no-unet"), { recursive: true });
  await rm(file("no-unet/unet"), { recursive: true });
  // Five generated models and the inputs: seconds, more on a loaded machine than vitest's 10 s hook default allows.
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fast = ["--steps", "6", "--seed", "5"];

// Each test starts real processes (tsx, ONNX Runtime, sharp): they run side by side, with room for a busy machine.
describe.concurrent("stochedit-run edit (real processes on the generated models)", { timeout: 120_000 }, () => {
  it("drag / sde, fp32 with a float timestep: two pairs and a mask on a 70x65 image", async () => {
    const out = file("drag-sde.png");
    const run = await stochEditRun([
      "edit",
      "drag",
      "--model",
      join(models, "sd15-fp32"),
      "--image",
      file("in.png"),
      "--mask",
      file("mask.png"),
      "--from",
      "20,30",
      "--to",
      "34,26",
      "--from",
      "24,50",
      "--to",
      "30,50",
      "--prompt",
      "a cat",
      "--out",
      out,
      ...fast,
    ]);
    expect(run.stderr).toMatch(/progress (\d+)\/\1 steps/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ out, width: 70, height: 65, format: "png", seed: 5 });
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 70, 65]);
  });

  it("drag / ode, fp16 with int64 [batch] timesteps, JPEG out", async () => {
    const out = file("drag-ode.jpg");
    const run = await stochEditRun([
      "edit",
      "drag",
      "--model",
      join(models, "legacy-fp16"),
      "--image",
      file("in.png"),
      "--from",
      "20,30",
      "--to",
      "34,26",
      "--sampler",
      "ode",
      "--out",
      out,
      ...fast,
    ]);
    expect(run.code).toBe(0);
    expect((await sharp(out).metadata()).format).toBe("jpeg");
  });

  it("inpaint / sde, fp16 with a float timestep: the kept region comes back unchanged", async () => {
    const out = file("inpaint-sde.png");
    const run = await stochEditRun([
      "edit",
      "inpaint",
      "--model",
      join(models, "sd15-fp16"),
      "--image",
      file("in-72.png"),
      "--mask",
      file("mask-72.png"),
      "--prompt",
      "a red flower",
      "--out",
      out,
      ...fast,
    ]);
    expect(run.code).toBe(0);
    const [before, after] = await Promise.all([file("in-72.png"), out].map((p) => sharp(p).raw().toBuffer()));
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < before!.length; i++) {
      const d = Math.abs(before![i]! - after![i]!);
      if (region(Math.floor(i / 3) % 72)) inside = Math.max(inside, d);
      else outside = Math.max(outside, d);
    }
    expect(outside).toBeLessThanOrEqual(3);
    expect(inside).toBeGreaterThan(10);
  });

  it("inpaint / ode, fp32 with int64 [batch] timesteps", async () => {
    const run = await stochEditRun([
      "edit",
      "inpaint",
      "--model",
      join(models, "legacy-fp32"),
      "--image",
      file("in.png"),
      "--mask",
      file("mask.png"),
      "--sampler",
      "ode",
      "--t0",
      "0.8",
      "--out",
      file("inpaint-ode.png"),
      ...fast,
    ]);
    expect(run.code).toBe(0);
  });

  it("inpaint / sde on a 9-channel inpainting UNet", async () => {
    const run = await stochEditRun([
      "edit",
      "inpaint",
      "--model",
      join(models, "inpaint-fp32"),
      "--image",
      file("in.png"),
      "--mask",
      file("mask.png"),
      "--out",
      file("inpaint-9.png"),
      ...fast,
    ]);
    expect(run.code).toBe(0);
  });

  it("img2img / sde, fp32 with int64 timesteps, model from STOCHEDIT_MODEL_DIR, WebP out", async () => {
    const out = file("img2img-sde.webp");
    const run = await stochEditRun(
      ["edit", "img2img", "--image", file("in.png"), "--strength", "0.5", "--out", out, "-q", ...fast],
      { STOCHEDIT_MODEL_DIR: join(models, "legacy-fp32") },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect((await sharp(out).metadata()).format).toBe("webp");
  });

  it("img2img / ode, fp16 with a float timestep, on a real 1000x1000 photo", async () => {
    const out = file("photo.png");
    const run = await stochEditRun([
      "edit",
      "img2img",
      "--model",
      join(models, "sd15-fp16"),
      "--image",
      photoPath,
      "--strength",
      "0.3",
      "--sampler",
      "ode",
      "--prompt",
      "an oil painting",
      "--out",
      out,
      "--steps",
      "4",
      "--seed",
      "1",
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ width: 1000, height: 1000 });
  });

  it("--preset fast runs the preset's grid, and --steps wins over it", async () => {
    const img2img = ["edit", "img2img", "--model", join(models, "sd15-fp32"), "--image", file("in.png")];
    const [preset, explicit] = await Promise.all([
      stochEditRun([...img2img, "--strength", "0.4", "--preset", "fast", "--out", file("preset.png")]),
      stochEditRun([...img2img, "--strength", "0.4", "--preset", "fast", "--steps", "5", "--out", file("steps.png")]),
    ]);
    expect(preset.code).toBe(0);
    // presetTable.img2img.fast: a 25-step grid, 10 of it from strength 0.4.
    expect(preset.stderr).toMatch(/progress 10\/10 steps/);
    expect(explicit.code).toBe(0);
    expect(explicit.stderr).toMatch(/progress 2\/2 steps/);
  });

  it("exits 2 with the usage for bad command lines", async () => {
    const runs = await Promise.all([
      stochEditRun([]),
      stochEditRun(["edit", "drag", "--image", file("in.png"), "--from", "1,2", "--out", file("x.png")]),
      stochEditRun([
        "edit",
        "img2img",
        "--image",
        file("in.png"),
        "--strength",
        "0.5",
        "--steps",
        "0",
        "--out",
        file("x.png"),
      ]),
      stochEditRun([
        "edit",
        "img2img",
        "--image",
        file("in.png"),
        "--strength",
        "0.5",
        "--out",
        join(dir, "nope", "x.png"),
      ]),
      stochEditRun([
        "edit",
        "img2img",
        "--image",
        file("in.png"),
        "--strength",
        "0.5",
        "--preset",
        "turbo",
        "--out",
        file("x.png"),
      ]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]!.stdout).toMatch(/^usage: stochedit-run edit/);
    expect(runs[1]!.stderr).toMatch(/^error usage: drag has 1 --from and 0 --to points/m);
    expect(runs[2]!.stderr).toMatch(/^error usage: --steps: /m);
    expect(runs[3]!.stderr).toMatch(/folder .*nope does not exist/);
    expect(runs[4]!.stderr).toMatch(/^error usage: --preset: .*"fast"\|"standard"\|"best"/m);
  });

  it("exits 3 with the job error code for inputs that cannot be edited", async () => {
    const model = ["--model", join(models, "sd15-fp32"), "--out", file("x.png"), "--strength", "0.5"];
    const runs = await Promise.all([
      stochEditRun(["edit", "img2img", "--image", file("missing.png"), ...model]),
      stochEditRun(["edit", "img2img", "--image", file("truncated.jpg"), ...model]),
      stochEditRun(["edit", "img2img", "--image", file("bomb.png"), ...model]),
      stochEditRun([
        "edit",
        "img2img",
        "--image",
        file("in.png"),
        "--prompt",
        Array(80).fill("cat").join(" "),
        ...model,
      ]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([3, 3, 3, 3]);
    expect(runs[0]!.stderr).toMatch(/^error image_missing: --image .*missing\.png cannot be read: ENOENT/m);
    expect(runs[1]!.stderr).toMatch(/^error image_invalid: /m);
    expect(runs[2]!.stderr).toMatch(/^error image_too_large: image is 100000x100000/m);
    expect(runs[3]!.stderr).toMatch(/^error prompt_too_long: /m);
    const outside = await stochEditRun([
      "edit",
      "drag",
      "--model",
      join(models, "sd15-fp32"),
      "--image",
      file("in.png"),
      "--from",
      "10,10",
      "--to",
      "10,65",
      "--out",
      file("x.png"),
    ]);
    expect(outside.code).toBe(3);
    expect(outside.stderr).toMatch(/^error points_outside_image: drag point \[10, 65\] lies outside the 70x65 image/m);
  });

  it("exits 4 naming what an unknown model folder lacks", async () => {
    const run = await stochEditRun([
      "edit",
      "img2img",
      "--model",
      file("no-unet"),
      "--image",
      file("in.png"),
      "--strength",
      "0.5",
      "--out",
      file("x.png"),
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error model_not_found: model folder .*no-unet lacks unet\/model\.onnx/m);
  });
});
