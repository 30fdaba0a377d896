/** @module decode-image: image bytes -> the VAE's input at the working size (oriented, RGB, sides x 8). */
import { imageLimits, imageSizeProblem, type Size, workingSize } from "@stochedit/shared";
import sharp, { type SharpOptions } from "sharp";
import { JobFailure } from "../job-failure.js";
import type { ImageTensor } from "./image-tensor.js";
import { probeImage } from "./probe-image.js";

export interface DecodedImage {
  /** RGB in [-1, 1] at the working size (each side rounded to the nearest multiple of 8). */
  readonly tensor: ImageTensor;
  /** The size of the uploaded image after EXIF orientation: points refer to it, the output gets it back. */
  readonly originalSize: Size;
}

/** Decoder settings shared by images and masks: fail on truncated or corrupt data, cap the pixels decoded. */
export const decodeOptions: SharpOptions = {
  failOn: "error",
  limitInputPixels: imageLimits.maxSide * imageLimits.maxSide,
};

/**
 * PNG, JPEG or WebP -> RGB floats. EXIF orientation is applied, alpha is dropped (the colour under it is kept),
 * grey and CMYK become sRGB, and the image is resized to the working size. Size limits are checked on the
 * header, before the pixels are decoded.
 */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  const { size } = await probeImage(bytes, "image");
  const problem = imageSizeProblem(size);
  if (problem) {
    const small = size.width < imageLimits.minSide || size.height < imageLimits.minSide;
    throw new JobFailure(small ? "image_too_small" : "image_too_large", problem);
  }
  const work = workingSize(size);
  let pixels: Buffer;
  try {
    pixels = await sharp(bytes, decodeOptions)
      .autoOrient()
      .removeAlpha()
      .toColourspace("srgb")
      .resize(work.width, work.height, { fit: "fill" })
      .raw({ depth: "uchar" })
      .toBuffer();
  } catch (error) {
    throw new JobFailure("image_invalid", `the image could not be decoded: ${(error as Error).message}`);
  }
  return { tensor: toTensor(pixels, work), originalSize: size };
}

/** Interleaved 8-bit RGB -> channel-major floats in [-1, 1]. */
/** Each byte's value in [-1, 1], b / 127.5 - 1: the conversion of every channel of every pixel. */
const byteValues = Float32Array.from({ length: 256 }, (_, b) => b / 127.5 - 1);

function toTensor(pixels: Buffer, size: Size): ImageTensor {
  const count = size.width * size.height;
  if (pixels.length !== count * 3) {
    throw new JobFailure("image_invalid", `decoded ${pixels.length} bytes for ${size.width}x${size.height} RGB`);
  }
  const data = new Float32Array(3 * count);
  const [green, blue] = [count, 2 * count];
  for (let i = 0, p = 0; i < count; i++, p += 3) {
    data[i] = byteValues[pixels[p]!]!;
    data[green + i] = byteValues[pixels[p + 1]!]!;
    data[blue + i] = byteValues[pixels[p + 2]!]!;
  }
  return { data, width: size.width, height: size.height };
}
