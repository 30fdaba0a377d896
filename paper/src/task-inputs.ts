/** @module task-inputs: experiment 2's inputs: data samples, made out-of-distribution for img2img, and masks. */
import type { GaussianMixture, GaussianRng, LatentMask } from "@stochedit/gpu-runner/sampling";
import type { CellRect, Img2ImgInputConfig, PatternDataConfig, TaskEditConfig } from "./paper-config.js";
import type { UniformRng } from "./uniform-rng.js";

/** One draw from the data law. */
export function drawData(mixture: GaussianMixture, uniform: UniformRng, rng: GaussianRng): Float32Array {
  const out = new Float32Array(mixture.dimension);
  mixture.sampleComponent(mixture.componentAt(uniform.next()), rng, out);
  return out;
}

/** The latent an edit starts from: a data sample, or for img2img a data sample made into an out-of-law "painting". */
export function drawTaskInput(
  edit: TaskEditConfig,
  mixture: GaussianMixture,
  data: PatternDataConfig,
  uniform: UniformRng,
  rng: GaussianRng,
): Float32Array {
  if (edit.task !== "img2img") return drawData(mixture, uniform, rng);
  return paintingFrom(edit.input, mixture, data, uniform, rng);
}

function paintingFrom(
  input: Img2ImgInputConfig,
  mixture: GaussianMixture,
  data: PatternDataConfig,
  uniform: UniformRng,
  rng: GaussianRng,
): Float32Array {
  const { height, width } = data;
  switch (input.kind) {
    case "composite": {
      const left = mixture.componentAt(uniform.next());
      let right = left;
      while (right === left) right = mixture.componentAt(uniform.next());
      const [a, b] = [new Float32Array(mixture.dimension), new Float32Array(mixture.dimension)];
      mixture.sampleComponent(left, rng, a);
      mixture.sampleComponent(right, rng, b);
      return a.map((v, i) => (i % width < input.splitColumn ? v : b[i]!));
    }
    case "coarse": {
      const x = drawData(mixture, uniform, rng);
      const size = input.blockSize;
      for (let plane = 0; plane < x.length; plane += height * width) {
        for (let by = 0; by < height; by += size) {
          for (let bx = 0; bx < width; bx += size) {
            const cells = blockCells(plane, bx, by, Math.min(size, width - bx), Math.min(size, height - by), width);
            const mean = cells.reduce((sum, i) => sum + x[i]!, 0) / cells.length;
            for (const i of cells) x[i] = mean;
          }
        }
      }
      return x;
    }
    case "scaled":
      return drawData(mixture, uniform, rng).map((v) => input.factor * v);
  }
}

function blockCells(plane: number, x: number, y: number, w: number, h: number, width: number): number[] {
  const cells: number[] = [];
  for (let row = y; row < y + h; row++) for (let col = x; col < x + w; col++) cells.push(plane + row * width + col);
  return cells;
}

/** A latent-resolution mask, 1 inside the rectangle. */
export function rectMask(rect: CellRect, data: PatternDataConfig): LatentMask {
  const mask = new Float32Array(data.height * data.width);
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) mask[y * data.width + x] = 1;
  }
  return mask;
}
