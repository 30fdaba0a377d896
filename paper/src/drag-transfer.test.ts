import { GaussianRng } from "@stochedit/gpu-runner/sampling";
import { describe, expect, it } from "vitest";
import { blockCorrelation, dragRegions, dragTransfer } from "./drag-transfer.js";

const [channels, height, width] = [4, 8, 8];
const cellsPerChannel = height * width;

function noiseLatents(seed: number, count: number): Float32Array[] {
  const rng = new GaussianRng(seed);
  return Array.from({ length: count }, () => rng.fill(new Float32Array(channels * cellsPerChannel)));
}

describe("dragRegions", () => {
  it("gives the runner's copy-paste blocks of the whole drag: experiment 2's (2, 3) -> (5, 3) moves columns 0-4 to 3-7", () => {
    const { source, target } = dragRegions([{ from: [2, 3], to: [5, 3] }], width, height);
    const columns = (cells: readonly number[]) => [...new Set(cells.map((c) => c % width))].sort();
    expect(columns(source)).toEqual([0, 1, 2, 3, 4]);
    expect(columns(target)).toEqual([3, 4, 5, 6, 7]);
    expect(source).toHaveLength(5 * height);
    // Paired cell by cell: each target cell is its source cell moved 3 columns right.
    expect(target).toEqual(source.map((c) => c + 3));
  });

  it("concatenates the blocks of several pairs", () => {
    const one = dragRegions([{ from: [1, 1], to: [2, 1] }], width, height);
    const two = dragRegions(
      [
        { from: [1, 1], to: [2, 1] },
        { from: [6, 6], to: [6, 4] },
      ],
      width,
      height,
    );
    expect(two.source.slice(0, one.source.length)).toEqual(one.source);
    expect(two.source.length).toBeGreaterThan(one.source.length);
    expect(two.target.length).toBe(two.source.length);
  });
});

describe("blockCorrelation", () => {
  const [x, y] = noiseLatents(5, 2) as [Float32Array, Float32Array];
  const cells = Array.from({ length: 20 }, (_, i) => i);

  it("is 1 for the same content up to a gain and an offset, -1 for the negated content", () => {
    expect(
      blockCorrelation(
        x.map((v) => 1.1 * v + 0.3),
        cells,
        x,
        cells,
        cellsPerChannel,
      ),
    ).toBeCloseTo(1, 6);
    expect(
      blockCorrelation(
        x.map((v) => -v),
        cells,
        x,
        cells,
        cellsPerChannel,
      ),
    ).toBeCloseTo(-1, 6);
  });

  it("is near 0 for unrelated content (80 values: |r| under 4 standard errors)", () => {
    expect(Math.abs(blockCorrelation(x, cells, y, cells, cellsPerChannel))).toBeLessThan(4 / Math.sqrt(80));
  });
});

describe("dragTransfer", () => {
  const pairs = [{ from: [2, 3], to: [5, 3] }] as const;
  const regions = dragRegions(pairs, width, height);
  const inputs = noiseLatents(9, 16);

  it("scores an exact copy-paste of the source block 1 at the target", () => {
    const copied = inputs.map((input) => {
      const out = Float32Array.from(input);
      for (let plane = 0; plane < out.length; plane += cellsPerChannel) {
        regions.target.forEach((cell, i) => {
          out[plane + cell] = 1.1 * input[plane + regions.source[i]!]!;
        });
      }
      return out;
    });
    expect(dragTransfer(copied, inputs, regions, cellsPerChannel).sourceAtTarget).toBeCloseTo(1, 6);
  });

  it("scores an output equal to its input 1 at the source and, for content without structure, about 0 at the target", () => {
    const unchanged = dragTransfer(inputs, inputs, regions, cellsPerChannel);
    expect(unchanged.sourceAtSource).toBeCloseTo(1, 6);
    // The blocks overlap in columns 3-4, but cell by cell they pair different values: the mean correlation over
    // 16 latents of 160 values each has a standard error of about 1/√(16·160).
    expect(Math.abs(unchanged.sourceAtTarget)).toBeLessThan(4 / Math.sqrt(16 * 160));
  });
});
