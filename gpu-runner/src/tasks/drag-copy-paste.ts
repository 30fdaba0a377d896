/** @module drag-copy-paste: SDE-Drag's manipulation of x_t0: copy the source block to the target, refill the source. */
import type { LatentPair } from "@stochedit/shared";
import type { GaussianSource } from "../diffusion/gaussian-rng.js";
import type { Shape4 } from "../diffusion/latents.js";

/** ALGORITHMS 5.3 defaults: r, β (how much of the source is kept under fresh noise) and α (the target's gain). */
export const copyPasteDefaults = { radius: 5, sourceKeep: 0.3, targetGain: 1.1 } as const;

export interface CopyPasteSettings {
  readonly radius: number;
  readonly sourceKeep: number;
  readonly targetGain: number;
}

/** A rectangle of latent cells: columns x..x+width-1, rows y..y+height-1. */
export interface CellBlock {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The equal-sized blocks around a pair's source and target: r cells before the point and r - 1 after it, clipped on
 * each side by whichever point is nearer the border, so both blocks fit. (The reference code clips the far side one
 * cell earlier than needed, which drops the point itself from its block on the last row or column.)
 */
export function dragBlocks(
  pair: LatentPair,
  width: number,
  height: number,
  radius: number,
): { source: CellBlock; target: CellBlock } {
  const [sx, sy] = pair.from;
  const [tx, ty] = pair.to;
  const left = Math.min(radius, sx, tx);
  const right = Math.min(radius, width - sx, width - tx);
  const top = Math.min(radius, sy, ty);
  const bottom = Math.min(radius, height - sy, height - ty);
  const blockWidth = left + right;
  const blockHeight = top + bottom;
  return {
    source: { x: sx - left, y: sy - top, width: blockWidth, height: blockHeight },
    target: { x: tx - left, y: ty - top, width: blockWidth, height: blockHeight },
  };
}

/**
 * For each pair in order, in place on a [1, C, H, W] latent: source block = β src + √(1-β²) n with fresh n (drawn in
 * the block's C, y, x order), then target block = α src, where src is the source block as it was before.
 */
export function copyPaste(
  x: Float32Array,
  shape: Shape4,
  pairs: readonly LatentPair[],
  rng: GaussianSource,
  settings: CopyPasteSettings = copyPasteDefaults,
): void {
  const [, channels, height, width] = shape;
  const { radius, sourceKeep, targetGain } = settings;
  const noiseGain = Math.sqrt(1 - sourceKeep * sourceKeep);
  for (const pair of pairs) {
    const { source, target } = dragBlocks(pair, width, height, radius);
    const src = readBlock(x, channels, height, width, source);
    const n = rng.fill(new Float32Array(src.length));
    writeBlock(x, channels, height, width, source, (i) => sourceKeep * src[i]! + noiseGain * n[i]!);
    writeBlock(x, channels, height, width, target, (i) => targetGain * src[i]!);
  }
}

function readBlock(x: Float32Array, channels: number, height: number, width: number, block: CellBlock): Float32Array {
  const out = new Float32Array(channels * block.height * block.width);
  let i = 0;
  for (let c = 0; c < channels; c++) {
    for (let y = block.y; y < block.y + block.height; y++) {
      const row = (c * height + y) * width;
      for (let col = block.x; col < block.x + block.width; col++) out[i++] = x[row + col]!;
    }
  }
  return out;
}

function writeBlock(
  x: Float32Array,
  channels: number,
  height: number,
  width: number,
  block: CellBlock,
  value: (i: number) => number,
): void {
  let i = 0;
  for (let c = 0; c < channels; c++) {
    for (let y = block.y; y < block.y + block.height; y++) {
      const row = (c * height + y) * width;
      for (let col = block.x; col < block.x + block.width; col++) x[row + col] = value(i++);
    }
  }
}
