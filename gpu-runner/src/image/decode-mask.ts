/** @module decode-mask: a single-channel mask image -> the latent-resolution mask the tasks take (1 = editable). */
import { imageLimits, type Size, workingSize } from "@stochedit/shared";
import sharp from "sharp";
import { JobFailure } from "../job-failure.js";
import type { LatentMask } from "../tasks/task.js";
import { decodeOptions } from "./decode-image.js";
import { probeImage } from "./probe-image.js";

export interface DecodedMask {
  /** One value per latent cell in [0, 1]: the mean of its 8x8 block (255 = 1 = editable or fill). */
  readonly latent: LatentMask;
  /** One value per pixel of the working size in [0, 1]. */
  readonly pixels: Float32Array;
}

/**
 * The mask must have the image's size (after EXIF orientation, like the image). It is read as grey (colour
 * masks are converted, alpha is dropped) and scaled to the working size.
 */
export async function decodeMask(bytes: Uint8Array, imageSize: Size): Promise<DecodedMask> {
  const { size } = await probeImage(bytes, "mask");
  if (size.width !== imageSize.width || size.height !== imageSize.height) {
    throw new JobFailure(
      "mask_size_mismatch",
      `the mask is ${size.width}x${size.height}; it must have the image's size, ${imageSize.width}x${imageSize.height}`,
    );
  }
  const work = workingSize(imageSize);
  let pixels: Buffer;
  try {
    pixels = await sharp(bytes, decodeOptions)
      .autoOrient()
      .removeAlpha()
      .toColourspace("b-w")
      .resize(work.width, work.height, { fit: "fill", kernel: "nearest" })
      .raw({ depth: "uchar" })
      .toBuffer();
  } catch (error) {
    throw new JobFailure("mask_invalid", `the mask could not be decoded: ${(error as Error).message}`);
  }
  return { latent: blockMeans(pixels, work), pixels: Float32Array.from(pixels, (p) => p / 255) };
}

/** Mean of every 8x8 block of an 8-bit grey image, as [0, 1]. */
function blockMeans(pixels: Buffer, size: Size): LatentMask {
  const f = imageLimits.sideMultiple;
  const [w, h] = [size.width / f, size.height / f];
  const mask = new Float32Array(w * h);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const cell = Math.floor(y / f) * w + Math.floor(x / f);
      mask[cell]! += pixels[y * size.width + x]!;
    }
  }
  for (let i = 0; i < mask.length; i++) mask[i]! /= 255 * f * f;
  return mask;
}
