/**
 * @module geometry: working size (sides rounded to multiples of 8), latent points, whether a point lies inside an image,
 * and the step count from t0.
 */
import { imageLimits } from "./limits.js";

export interface Size {
  width: number;
  height: number;
}

/** The size the model works at: each side rounded to the nearest multiple of 8 (the VAE's factor), at least 8. */
export function workingSize(size: Size): Size {
  const round = (side: number) =>
    Math.max(imageLimits.sideMultiple, Math.round(side / imageLimits.sideMultiple) * imageLimits.sideMultiple);
  return { width: round(size.width), height: round(size.height) };
}

/** A pixel point of the uploaded image -> its latent cell: scaled to the working size, then trunc(pixel / 8). */
export function latentPoint(point: readonly [number, number], image: Size): [number, number] {
  const work = workingSize(image);
  const f = imageLimits.sideMultiple;
  const x = Math.trunc((point[0] * work.width) / image.width / f);
  const y = Math.trunc((point[1] * work.height) / image.height / f);
  return [Math.min(x, work.width / f - 1), Math.min(y, work.height / f - 1)];
}

/**
 * Whether [x, y] lies inside a width x height grid: pixels of an image, or cells of its latent. 0 <= x < width and
 * 0 <= y < height; a missing or NaN coordinate lies outside. The one check of a drag point, at the edge and the runner.
 */
export function pointInside(point: readonly number[], size: Size): boolean {
  const [x = Number.NaN, y = Number.NaN] = point;
  return x >= 0 && x < size.width && y >= 0 && y < size.height;
}

/**
 * Number of sampler steps for a run that starts at fraction t0 of a grid of `steps` levels over [0, T]:
 * round(steps x t0), at least 1 (drag defaults: 200 x 0.6 = 120).
 */
export function stepsFromT0(steps: number, t0: number): number {
  return Math.max(1, Math.round(steps * t0));
}

/** Why a size is not accepted, or undefined when it is within the limits. */
export function imageSizeProblem(size: Size): string | undefined {
  const { minSide, maxSide, maxPixels } = imageLimits;
  if (size.width < minSide || size.height < minSide) {
    return `image is ${size.width}x${size.height}; each side must be at least ${minSide} px`;
  }
  if (size.width > maxSide || size.height > maxSide) {
    return `image is ${size.width}x${size.height}; each side must be at most ${maxSide} px`;
  }
  const work = workingSize(size);
  if (work.width * work.height > maxPixels) {
    return `image is ${size.width}x${size.height} (${work.width * work.height} px); at most ${maxPixels} px are allowed`;
  }
  return undefined;
}
