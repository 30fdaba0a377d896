/**
 * @module example-figures: writes docs/examples/: the examples' inputs (emoji rasterised from the training sets, as
 * the dataset does), the inpainting mask, the outputs of the README's command lines (run through the CLI) and the
 * inputs with the drag arrow or the mask's outline drawn on them, for the README.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { cliArguments, type Example, examplesDir, loadExamples, outputName, repoRoot } from "./examples.js";
import { emojiSets, loadEmojiSet } from "./icon-sets.js";
import { type Placement, rasteriseOnWhite } from "./rasterise.js";

const run = promisify(execFile);
const tsxPath = join(repoRoot, "node_modules/.bin/tsx");
const cliPath = join(repoRoot, "gpu-runner/src/cli.ts");
const sidePx = 128;
/** The dataset's canonical placement: the icon at 112 px, centred. */
const centred: Placement = { canvasPx: sidePx, iconPx: 112, leftPx: 8, topPx: 8 };

/** How each input is drawn: the icon, its set and where it sits on the 128x128 canvas. */
const inputs: Record<string, { icon: string; style: string; placement: Placement }> = {
  // Smaller than the canonical 112 px and in the corner, so the drag has room to move it.
  "red-heart-corner.png": {
    icon: "red-heart",
    style: "twemoji style",
    placement: { canvasPx: sidePx, iconPx: 88, leftPx: 0, topPx: 0 },
  },
  "grinning-face.png": { icon: "grinning-face", style: "noto style", placement: centred },
  "tangerine.png": { icon: "tangerine", style: "twemoji style", placement: centred },
};

/** The inpainting mask: 255 over the mouth (x 16-111, y 64-119), 0 elsewhere. */
const mouth = { left: 16, top: 64, width: 96, height: 56 };

async function renderInput(name: string): Promise<Buffer> {
  const spec = inputs[name];
  const set = emojiSets.find((s) => s.styleCaption === spec?.style);
  const icon = spec && set && loadEmojiSet(set).icons.find((i) => i.name === spec.icon);
  if (!spec || !icon) throw new Error(`no recipe or icon for ${name}`);
  const raw = await rasteriseOnWhite(icon.svg, spec.placement);
  return sharp(raw, { raw: { width: sidePx, height: sidePx, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

async function mouthMask(): Promise<Buffer> {
  const pixels = Buffer.alloc(sidePx * sidePx);
  for (let y = mouth.top; y < mouth.top + mouth.height; y++) {
    pixels.fill(255, y * sidePx + mouth.left, y * sidePx + mouth.left + mouth.width);
  }
  return sharp(pixels, { raw: { width: sidePx, height: sidePx, channels: 1 } })
    .toColourspace("b-w")
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** What the README shows as "before": the drag's arrows, or the outline of the area to fill (img2img: nothing). */
function marks(example: Example): string | undefined {
  const { points } = example.request as { points?: { from: number[]; to: number[] }[] };
  const arrows = (points ?? []).map(({ from: [x0, y0], to: [x1, y1] }) => {
    const angle = Math.atan2(y1! - y0!, x1! - x0!);
    const head = (turn: number) => `${x1! - 9 * Math.cos(angle + turn)},${y1! - 9 * Math.sin(angle + turn)}`;
    // As the playground draws a pair: a white arrow edged in black, the source red, the target blue.
    const arrow = `M${x0},${y0} L${x1},${y1} M${head(-0.5)} L${x1},${y1} L${head(0.5)}`;
    const dot = (x: number, y: number, fill: string) =>
      `<circle cx="${x}" cy="${y}" r="4.5" fill="${fill}" stroke="#fff" stroke-width="1.5"/>`;
    return (
      `<path d="${arrow}" stroke="#000" stroke-opacity="0.7" stroke-width="5" fill="none" stroke-linecap="round"/>` +
      `<path d="${arrow}" stroke="#fff" stroke-width="2.5" fill="none" stroke-linecap="round"/>` +
      `${dot(x0!, y0!, "#e5484d")}${dot(x1!, y1!, "#3e63dd")}`
    );
  });
  const outline = example.mask
    ? `<rect x="${mouth.left + 1}" y="${mouth.top + 1}" width="${mouth.width - 2}" height="${mouth.height - 2}" ` +
      `fill="none" stroke="#3e63dd" stroke-width="2" stroke-dasharray="5 3"/>`
    : "";
  if (arrows.length === 0 && !outline) return undefined;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${sidePx}" height="${sidePx}">${arrows.join("")}${outline}</svg>`;
}

async function main(): Promise<void> {
  const dir = join(repoRoot, examplesDir);
  for (const name of Object.keys(inputs)) await writeFile(join(dir, name), await renderInput(name));
  await writeFile(join(dir, "grinning-face-mouth-mask.png"), await mouthMask());
  for (const example of loadExamples()) {
    const overlay = marks(example);
    if (overlay) {
      const marked = await sharp(join(dir, example.image))
        .composite([{ input: Buffer.from(overlay) }])
        .png({ compressionLevel: 9 })
        .toBuffer();
      await writeFile(join(dir, `${example.name}-input.png`), marked);
    }
    for (const sampler of ["sde", "ode"] as const) {
      // The README's own command line, run from the repository root, writing into docs/examples/.
      const out = `${examplesDir}/${outputName(example, sampler)}`;
      await run(tsxPath, [cliPath, ...cliArguments(example, sampler, out), "-q"], { cwd: repoRoot });
    }
  }
  console.log(`wrote the examples' inputs, outputs and marked inputs to ${dir}`);
}

await main();
