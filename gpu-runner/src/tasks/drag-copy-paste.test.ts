import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { copyPaste, copyPasteDefaults, dragBlocks } from "./drag-copy-paste.js";

describe("dragBlocks", () => {
  it("takes r cells before the point and r - 1 after it inside the latent", () => {
    expect(dragBlocks({ from: [18, 27], to: [18, 26] }, 64, 64, 5)).toEqual({
      source: { x: 13, y: 22, width: 10, height: 10 },
      target: { x: 13, y: 21, width: 10, height: 10 },
    });
  });

  it("clips at the left and top borders so both blocks start inside, keeping them equal", () => {
    const { source, target } = dragBlocks({ from: [0, 2], to: [3, 0] }, 32, 32, 5);
    expect(source).toEqual({ x: 0, y: 2, width: 5, height: 5 });
    expect(target).toEqual({ x: 3, y: 0, width: 5, height: 5 });
  });

  it("clips at the right and bottom borders and still includes the points on the last column and row", () => {
    const { source, target } = dragBlocks({ from: [31, 29], to: [28, 31] }, 32, 32, 5);
    // Source x: 5 before, 1 (the point itself) after; y: limited by the target on the last row.
    expect(source).toEqual({ x: 26, y: 24, width: 6, height: 6 });
    expect(target).toEqual({ x: 23, y: 26, width: 6, height: 6 });
    expect(source.x + source.width).toBe(32);
    expect(target.y + target.height).toBe(32);
  });

  it("clips by whichever point of the pair is nearer the border", () => {
    const { source, target } = dragBlocks({ from: [10, 10], to: [2, 30] }, 32, 32, 5);
    expect(source).toEqual({ x: 8, y: 5, width: 7, height: 7 });
    expect(target).toEqual({ x: 0, y: 25, width: 7, height: 7 });
  });
});

describe("copyPaste", () => {
  const [channels, height, width] = [2, 8, 8];
  const shape = [1, channels, height, width] as const;
  const cell = (x: Float32Array, c: number, row: number, col: number) => x[(c * height + row) * width + col]!;
  const start = () => Float32Array.from({ length: channels * height * width }, (_, i) => i / 10);

  it("refills the source with β src + √(1-β²) n and writes α src at the target, leaving the rest", () => {
    const x = start();
    const before = start();
    const settings = { radius: 1, sourceKeep: 0.3, targetGain: 1.1 };
    // radius 1: one cell before the point plus the point itself, so 2x2 blocks.
    copyPaste(x, shape, [{ from: [4, 4], to: [6, 4] }], new GaussianRng(1), settings);
    const noise = new GaussianRng(1).fill(new Float32Array(channels * 2 * 2));
    let i = 0;
    for (let c = 0; c < channels; c++) {
      for (const row of [3, 4]) {
        for (const col of [3, 4]) {
          const src = cell(before, c, row, col);
          expect(cell(x, c, row, col)).toBeCloseTo(0.3 * src + Math.sqrt(1 - 0.09) * noise[i++]!, 6);
          expect(cell(x, c, row, col + 2)).toBeCloseTo(1.1 * src, 6);
        }
      }
    }
    for (let c = 0; c < channels; c++) {
      for (let row = 0; row < height; row++) {
        for (let col = 0; col < width; col++) {
          if (row >= 3 && row <= 4 && col >= 3 && col <= 6) continue;
          expect(cell(x, c, row, col)).toBe(cell(before, c, row, col));
        }
      }
    }
  });

  it("lets an overlapping target overwrite the refilled source with the original source values", () => {
    const x = start();
    const before = start();
    copyPaste(x, shape, [{ from: [4, 4], to: [5, 4] }], new GaussianRng(2), { ...copyPasteDefaults, radius: 2 });
    // Source columns 2..5, target 3..6: column 5 ends as α times the original column 4.
    for (let c = 0; c < channels; c++) expect(cell(x, c, 4, 5)).toBeCloseTo(1.1 * cell(before, c, 4, 4), 6);
  });

  it("applies the pairs in order, each reading the latent the previous one left", () => {
    const x = start();
    const before = start();
    const pairs = [
      { from: [1, 1] as const, to: [3, 1] as const },
      { from: [3, 1] as const, to: [5, 1] as const },
    ];
    copyPaste(x, shape, pairs, new GaussianRng(3), { ...copyPasteDefaults, radius: 1 });
    for (let c = 0; c < channels; c++) expect(cell(x, c, 1, 5)).toBeCloseTo(1.1 * 1.1 * cell(before, c, 1, 1), 5);
  });

  it("works on blocks at the borders", () => {
    const x = start();
    const before = start();
    copyPaste(x, shape, [{ from: [7, 7], to: [0, 0] }], new GaussianRng(4));
    // Clipped to the single cells at the corners.
    for (let c = 0; c < channels; c++) {
      expect(cell(x, c, 0, 0)).toBeCloseTo(1.1 * cell(before, c, 7, 7), 6);
      expect(cell(x, c, 7, 7)).not.toBe(cell(before, c, 7, 7));
      expect(cell(x, c, 1, 1)).toBe(cell(before, c, 1, 1));
    }
  });
});
