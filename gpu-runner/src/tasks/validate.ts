/**
 * @module validate: checks what the API's schemas cannot see in a task's input (latent shapes, masks and points at
 * latent resolution, the UNet); a JobFailure names the value received and what is allowed.
 */
import { type LatentPair, pointInside } from "@stochedit/shared";
import type { Latents } from "../diffusion/latents.js";
import type { NoisePredictor } from "../diffusion/noise-predictor.js";
import { JobFailure } from "../job-failure.js";
import type { LatentMask } from "./task.js";

export interface LatentSize {
  readonly height: number;
  readonly width: number;
}

/** The input latent must be one SD latent, [1, 4, h, w]. */
export function checkLatent(latent: Latents): LatentSize {
  const [batch, channels, height, width] = latent.shape;
  if (batch !== 1 || channels !== 4 || !(height >= 1) || !(width >= 1)) {
    throw new JobFailure("invalid_parameters", `latent has shape [${latent.shape.join(", ")}]; expected [1, 4, h, w]`);
  }
  if (latent.data.length !== channels * height * width) {
    throw new JobFailure(
      "invalid_parameters",
      `latent of shape [${latent.shape.join(", ")}] holds ${latent.data.length} values; expected ${channels * height * width}`,
    );
  }
  return { height, width };
}

/** A mask at latent resolution: height x width values in [0, 1]. */
export function checkMask(mask: LatentMask, size: LatentSize): void {
  const cells = size.height * size.width;
  if (mask.length !== cells) {
    throw new JobFailure(
      "mask_size_mismatch",
      `mask has ${mask.length} cells; the latent is ${size.width}x${size.height} = ${cells} cells`,
    );
  }
  const bad = mask.findIndex((m) => !(m >= 0 && m <= 1));
  if (bad >= 0) {
    throw new JobFailure("mask_invalid", `mask cell ${bad} is ${mask[bad]}; mask values must be in [0, 1]`);
  }
}

/** Drag points are latent cells: integers [x, y] with 0 <= x < width and 0 <= y < height. */
export function checkPoints(points: readonly LatentPair[], size: LatentSize): void {
  for (const pair of points) {
    for (const point of [pair.from, pair.to]) {
      const [x, y] = point;
      if (!Number.isInteger(x) || !Number.isInteger(y)) {
        throw new JobFailure("invalid_parameters", `drag point [${x}, ${y}] is not a latent cell (integers expected)`);
      }
      if (!pointInside(point, size)) {
        throw new JobFailure(
          "points_outside_image",
          `drag point [${x}, ${y}] lies outside the ${size.width}x${size.height} latent: x must be in 0..${size.width - 1}, y in 0..${size.height - 1}`,
        );
      }
    }
  }
}

/** img2img and drag run a plain SD UNet; a 9-channel inpainting UNet serves only inpainting. */
export function checkPlainUnet(predictor: NoisePredictor, task: "img2img" | "drag"): void {
  if (predictor.unetInputChannels !== 4) {
    throw new JobFailure(
      "invalid_parameters",
      `the model's UNet takes ${predictor.unetInputChannels} input channels; ${task} needs a 4-channel UNet`,
    );
  }
}
