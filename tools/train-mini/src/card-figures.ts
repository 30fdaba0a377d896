/** @module card-figures: renders the model card's sample grid and SDE/ODE edit examples through the runner's CLI. */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import { emojiSets, loadEmojiSet } from "./icon-sets.js";
import { rasteriseOnWhite } from "./rasterise.js";

const run = promisify(execFile);
const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");
const cliPath = join(repoRoot, "gpu-runner/src/cli.ts");
const tsxPath = join(repoRoot, "node_modules/.bin/tsx");
const outDir = join(repoRoot, "docs/models/stochedit-mini");
const sidePx = 128;
const seed = 1234;

/** The dozen captions of the sample grid: four of each style, things the data has in all three sets. */
export const sampleCaptions = [
  "grinning face, noto style",
  "red apple, noto style",
  "automobile, noto style",
  "sun, noto style",
  "smiling face with heart eyes, fluent style",
  "penguin, fluent style",
  "rocket, fluent style",
  "blue heart, fluent style",
  "cat face, twemoji style",
  "pizza, twemoji style",
  "umbrella, twemoji style",
  "four leaf clover, twemoji style",
];

async function cli(args: readonly string[]): Promise<void> {
  await run(tsxPath, [cliPath, "edit", ...args, "--seed", String(seed), "-q"], { cwd: repoRoot });
}

/** A dataset-style render (icon at 112 px on white) of `name` from the set whose captions end in `style`. */
async function renderIcon(name: string, style: string): Promise<Buffer> {
  const set = emojiSets.find((s) => s.styleCaption === style);
  const icon = set && loadEmojiSet(set).icons.find((i) => i.name === name);
  if (!icon) throw new Error(`no icon ${name} in the ${style} set`);
  const raw = await rasteriseOnWhite(icon.svg, { canvasPx: sidePx, iconPx: 112, leftPx: 8, topPx: 8 });
  return sharp(raw, { raw: { width: sidePx, height: sidePx, channels: 3 } })
    .png()
    .toBuffer();
}

async function grid(files: readonly string[], columns: number): Promise<Buffer> {
  const rows = Math.ceil(files.length / columns);
  const tiles = await Promise.all(
    files.map(async (file, i) => ({
      input: await readFile(file),
      left: (i % columns) * sidePx,
      top: Math.floor(i / columns) * sidePx,
    })),
  );
  // A 256-colour palette keeps the grid small in git; the samples' few flat colours survive it.
  return sharp({
    create: { width: columns * sidePx, height: rows * sidePx, channels: 3, background: { r: 255, g: 255, b: 255 } },
  })
    .composite(tiles)
    .png({ palette: true })
    .toBuffer();
}

async function samples(work: string): Promise<void> {
  const blank = join(work, "white.png");
  await writeFile(
    blank,
    await sharp({ create: { width: sidePx, height: sidePx, channels: 3, background: "#ffffff" } })
      .png()
      .toBuffer(),
  );
  for (const sampler of ["sde", "ode"] as const) {
    const files: string[] = [];
    for (const [index, prompt] of sampleCaptions.entries()) {
      const file = join(work, `sample-${sampler}-${index}.png`);
      // img2img at strength 1 is text-to-image: the input is noised all the way to T (t0 = 1).
      const args = ["img2img", "--image", blank, "--out", file, "--prompt", prompt, "--strength", "1"];
      await cli([...args, "--steps", "50", "--sampler", sampler]);
      files.push(file);
    }
    await writeFile(join(outDir, `samples-${sampler}.png`), await grid(files, 6));
  }
}

interface EditExample {
  name: string;
  icon: [name: string, style: string];
  args: string[];
  /** SVG drawn over the input to show the edit (drag arrow, inpainting region). */
  overlay: string;
}

const editExamples: EditExample[] = [
  {
    name: "drag",
    icon: ["grinning-face", "noto style"],
    args: ["drag", "--from", "64,40", "--to", "64,16", "--prompt", "grinning face, noto style", "--steps", "100"],
    overlay: `<line x1="64" y1="40" x2="64" y2="16" stroke="#e00" stroke-width="3"/><circle cx="64" cy="40" r="4" fill="#e00"/>`,
  },
  {
    name: "inpaint",
    icon: ["red-apple", "twemoji style"],
    args: ["inpaint", "--prompt", "green apple, twemoji style", "--steps", "50"],
    overlay: `<rect x="24" y="24" width="80" height="80" fill="none" stroke="#e00" stroke-width="3" stroke-dasharray="6 4"/>`,
  },
  {
    name: "img2img",
    icon: ["cat-face", "noto style"],
    args: ["img2img", "--prompt", "cat face, twemoji style", "--strength", "0.6", "--steps", "50"],
    overlay: "",
  },
];

async function edits(work: string): Promise<void> {
  const mask = join(work, "mask.png");
  const maskPixels = Buffer.alloc(sidePx * sidePx);
  for (let y = 24; y < 104; y++) maskPixels.fill(255, y * sidePx + 24, y * sidePx + 104);
  await writeFile(
    mask,
    await sharp(maskPixels, { raw: { width: sidePx, height: sidePx, channels: 1 } })
      .png()
      .toBuffer(),
  );
  for (const example of editExamples) {
    const input = join(work, `${example.name}-input.png`);
    await writeFile(input, await renderIcon(...example.icon));
    const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${sidePx}" height="${sidePx}">${example.overlay}</svg>`;
    await writeFile(
      join(outDir, `${example.name}-input.png`),
      await sharp(input)
        .composite([{ input: Buffer.from(overlay) }])
        .png()
        .toBuffer(),
    );
    for (const sampler of ["sde", "ode"] as const) {
      const extra = example.name === "inpaint" ? ["--mask", mask] : [];
      const out = join(outDir, `${example.name}-${sampler}.png`);
      await cli([...example.args, "--image", input, "--out", out, "--sampler", sampler, ...extra]);
    }
  }
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), "stochedit-card-"));
  try {
    await samples(work);
    await edits(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`wrote the card's figures to ${outDir}`);
}

await main();
