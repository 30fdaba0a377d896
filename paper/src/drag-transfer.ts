/** @module drag-transfer: did a drag move content? The input's source block compared with the output's blocks. */
import { type CellBlock, copyPasteDefaults, dragBlocks } from "@stochedit/gpu-runner/sampling";
import type { LatentPair } from "@stochedit/shared";

/** Paired cells (y · width + x): the content of source[i] should end at target[i]. */
export interface DragRegions {
  readonly source: readonly number[];
  readonly target: readonly number[];
}

/**
 * The runner's own copy-paste blocks (dragBlocks at the default radius) of each pair of the whole drag, from its
 * first to its last point, concatenated over the pairs.
 */
export function dragRegions(points: readonly LatentPair[], width: number, height: number): DragRegions {
  const cellsOf = (block: CellBlock) => {
    const cells: number[] = [];
    for (let y = block.y; y < block.y + block.height; y++) {
      for (let x = block.x; x < block.x + block.width; x++) cells.push(y * width + x);
    }
    return cells;
  };
  const blocks = points.map((pair) => dragBlocks(pair, width, height, copyPasteDefaults.radius));
  return { source: blocks.flatMap((b) => cellsOf(b.source)), target: blocks.flatMap((b) => cellsOf(b.target)) };
}

/**
 * Pearson correlation, over every channel of a [1, C, H, W] latent, between x at `xCells` and y at `yCells` (paired
 * cells). 1: the same content up to a gain and an offset; 0: unrelated.
 */
export function blockCorrelation(
  x: Float32Array,
  xCells: readonly number[],
  y: Float32Array,
  yCells: readonly number[],
  cellsPerChannel: number,
): number {
  const a: number[] = [];
  const b: number[] = [];
  for (let plane = 0; plane < x.length; plane += cellsPerChannel) {
    xCells.forEach((cell, i) => {
      a.push(x[plane + cell]!);
      b.push(y[plane + yCells[i]!]!);
    });
  }
  const mean = (v: readonly number[]) => v.reduce((sum, z) => sum + z, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((ai, i) => {
    const [da, db] = [ai - ma, b[i]! - mb];
    ab += da * db;
    aa += da * da;
    bb += db * db;
  });
  return ab / Math.sqrt(aa * bb);
}

/**
 * Mean over paired (output, input) latents of two correlations with the input's source block: at the output's target
 * block (the content arrived: 1 for an exact copy-paste of the input) and at the output's source block (the content
 * stayed: 1 for an output equal to its input).
 */
export function dragTransfer(
  outputs: readonly Float32Array[],
  inputs: readonly Float32Array[],
  regions: DragRegions,
  cellsPerChannel: number,
): { sourceAtTarget: number; sourceAtSource: number } {
  const meanOver = (cells: readonly number[]) =>
    outputs.reduce(
      (sum, out, n) => sum + blockCorrelation(out, cells, inputs[n]!, regions.source, cellsPerChannel),
      0,
    ) / outputs.length;
  return { sourceAtTarget: meanOver(regions.target), sourceAtSource: meanOver(regions.source) };
}
