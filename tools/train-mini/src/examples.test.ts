import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  closeSdModels,
  defaultModelDir,
  loadSdModel,
  parseEditArguments,
  runEdit,
  type SdModel,
} from "@stochedit/gpu-runner";
import type { Sampler } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cliArguments,
  commandLine,
  curlBody,
  type Example,
  examplesDir,
  loadExamples,
  outputName,
  parsedRequest,
  repoRoot,
} from "./examples.js";

const examples = loadExamples();
const samplers: readonly Sampler[] = ["sde", "ode"];

interface Rgb {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

async function rgb(image: Buffer | Uint8Array | string): Promise<Rgb> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

const exampleFile = (name: string) => join(repoRoot, examplesDir, name);

/** Mean absolute difference per channel (0-255) over the pixels `where` selects. */
function meanDifference(a: Rgb, b: Rgb, where: (x: number, y: number) => boolean = () => true): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (!where(x, y)) continue;
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * 3 + c;
        sum += Math.abs(a.data[i]! - b.data[i]!);
      }
      count += 3;
    }
  }
  return sum / count;
}

/** The pixels that are not white background: a channel below 200. */
function inked(image: Rgb): { x: number; y: number; r: number; g: number; b: number }[] {
  const pixels = [];
  for (let i = 0; i < image.width * image.height; i++) {
    const [r, g, b] = [image.data[3 * i]!, image.data[3 * i + 1]!, image.data[3 * i + 2]!];
    if (Math.min(r, g, b) < 200) pixels.push({ x: i % image.width, y: Math.floor(i / image.width), r, g, b });
  }
  return pixels;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

describe("the README's first edits (docs/examples/)", () => {
  it("are in the README as the exact CLI command lines and request bodies", async () => {
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    for (const example of examples) {
      for (const sampler of samplers) expect(readme).toContain(commandLine(example, sampler));
      expect(readme).toContain(curlBody(example));
    }
  });

  it("are requests the API takes, with points inside their images and masks of the image's size", async () => {
    for (const example of examples) {
      const request = parsedRequest(example);
      const image = await rgb(exampleFile(example.image));
      if (request.task === "drag") {
        for (const point of request.points.flatMap((pair) => [pair.from, pair.to])) {
          expect(point[0]).toBeLessThan(image.width);
          expect(point[1]).toBeLessThan(image.height);
        }
      }
      if (example.mask) {
        const mask = await sharp(exampleFile(example.mask)).metadata();
        expect([mask.width, mask.height, mask.channels]).toEqual([image.width, image.height, 1]);
      }
    }
  });
});

/**
 * Each example's command line, parsed by the CLI's own parser and run on the embedded model: the result is the one
 * the README shows (within what another CPU's float rounding could change) and visibly does what the example asks.
 */
describe.each(examples)("the $name example on stochedit-mini", (example: Example) => {
  let model: SdModel;
  const outputs = new Map<Sampler, Rgb>();

  beforeAll(async () => {
    model = await loadSdModel(await defaultModelDir({}), { log: () => {} });
    for (const sampler of samplers) {
      const args = parseEditArguments(cliArguments(example, sampler));
      const image = await readFile(join(repoRoot, args.imagePath));
      const mask = args.maskPath === undefined ? undefined : await readFile(join(repoRoot, args.maskPath));
      const result = await runEdit(model, {
        settings: args.settings,
        image,
        seed: args.seed ?? 0,
        ...(mask && { mask }),
      });
      outputs.set(sampler, await rgb(result.output));
    }
  });
  afterAll(() => closeSdModels());

  it.each(samplers)("%s: gives the image the README shows", async (sampler) => {
    const committed = await rgb(exampleFile(outputName(example, sampler)));
    expect(meanDifference(outputs.get(sampler)!, committed)).toBeLessThan(6);
  });

  it.each(samplers)("%s: does what it asks for", async (sampler) => {
    const input = await rgb(exampleFile(example.image));
    const output = outputs.get(sampler)!;
    const request = parsedRequest(example);
    if (request.task === "drag") {
      // The heart's ink moves along the drag by at least half of it.
      const [pair] = request.points;
      const [dx, dy] = [pair!.to[0] - pair!.from[0], pair!.to[1] - pair!.from[1]];
      const centre = (image: Rgb) => {
        const ink = inked(image);
        return [mean(ink.map((p) => p.x)), mean(ink.map((p) => p.y))] as const;
      };
      const [before, after] = [centre(input), centre(output)];
      const along = ((after[0] - before[0]) * dx + (after[1] - before[1]) * dy) / Math.hypot(dx, dy);
      expect(along).toBeGreaterThan(Math.hypot(dx, dy) / 2);
    } else if (request.task === "inpaint") {
      // Outside the mask the face stays; inside it, the open mouth (dark, white, pink) gives way to yellow face.
      const mask = await rgb(exampleFile(example.mask!));
      const inMask = (x: number, y: number) => mask.data[(y * mask.width + x) * 3]! > 127;
      const outside = meanDifference(input, output, (x, y) => !inMask(x, y));
      const inside = meanDifference(input, output, inMask);
      expect(inside).toBeGreaterThan(4 * outside);
      const yellowShare = (image: Rgb) =>
        mean(
          inked(image)
            .filter((p) => inMask(p.x, p.y))
            .map((p) => (p.r > 200 && p.g > 150 && p.b < 120 ? 1 : 0)),
        );
      expect(yellowShare(output)).toBeGreaterThan(yellowShare(input) + 0.2);
    } else {
      // Orange becomes lemon yellow: green rises against red across the fruit.
      const greenOverRed = (image: Rgb) => mean(inked(image).map((p) => p.g / Math.max(1, p.r)));
      expect(greenOverRed(output)).toBeGreaterThan(greenOverRed(input) + 0.15);
    }
  });
});
