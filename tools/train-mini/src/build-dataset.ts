/** @module build-dataset: rasterises the emoji sets into the binary training file the Python trainer reads. */
import { mkdir, open, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EmojiIcon, type EmojiSetInfo, emojiSets, loadEmojiSet } from "./icon-sets.js";
import { type Placement, rasteriseOnWhite } from "./rasterise.js";

const canvasPx = 128;
const canonicalIconPx = 112;
const jitteredCopies = 1;
const seed = 20240511;

/** mulberry32: a small seeded generator, so the same packages always give the same dataset bytes. */
function seededRandom(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function canonicalPlacement(): Placement {
  const marginPx = (canvasPx - canonicalIconPx) / 2;
  return { canvasPx, iconPx: canonicalIconPx, leftPx: marginPx, topPx: marginPx };
}

/** Light augmentation: a smaller or larger icon, shifted, so the model does not learn one fixed frame. */
function jitteredPlacement(random: () => number): Placement {
  const iconPx = 88 + Math.floor(random() * 33);
  const slackPx = canvasPx - iconPx;
  return {
    canvasPx,
    iconPx,
    leftPx: Math.floor(random() * (slackPx + 1)),
    topPx: Math.floor(random() * (slackPx + 1)),
  };
}

interface DatasetItem {
  caption: string;
  name: string;
  style: string;
  augmented: boolean;
}

async function main(): Promise<void> {
  const outDir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "data");
  await mkdir(outDir, { recursive: true });
  const random = seededRandom(seed);
  const icons: EmojiIcon[] = [];
  const sets: EmojiSetInfo[] = [];
  for (const set of emojiSets) {
    const loaded = loadEmojiSet(set);
    icons.push(...loaded.icons);
    sets.push(loaded.info);
  }
  const imagesFile = await open(join(outDir, "images.u8"), "w");
  const items: DatasetItem[] = [];
  let failed = 0;
  try {
    for (const icon of icons) {
      const placements = [canonicalPlacement()];
      for (let copy = 0; copy < jitteredCopies; copy++) placements.push(jitteredPlacement(random));
      for (const [index, placement] of placements.entries()) {
        let pixels: Buffer;
        try {
          pixels = await rasteriseOnWhite(icon.svg, placement);
        } catch (error) {
          failed++;
          console.warn(`skipped ${icon.caption}: ${(error as Error).message}`);
          break;
        }
        await imagesFile.write(pixels);
        items.push({ caption: icon.caption, name: icon.name, style: icon.styleCaption, augmented: index > 0 });
      }
      if (items.length % 1000 < placements.length) console.log(`${items.length} images`);
    }
  } finally {
    await imagesFile.close();
  }
  const index = { imageSizePx: canvasPx, channels: 3, count: items.length, sets, items };
  await writeFile(join(outDir, "index.json"), JSON.stringify(index));
  console.log(`wrote ${items.length} images of ${icons.length} icons (${failed} failed) to ${outDir}`);
}

await main();
