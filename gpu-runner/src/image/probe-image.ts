/** @module probe-image: reads an image's header only (format, oriented size) before anything is decoded. */
import { type Size, uploadLimits } from "@stochedit/shared";
import sharp, { type Metadata } from "sharp";
import { JobFailure } from "../job-failure.js";

/** Formats the API accepts (sharp's names). */
const acceptedFormats = new Set(["png", "jpeg", "webp"]);

export interface ImageProbe {
  readonly format: "png" | "jpeg" | "webp";
  /** Width and height after the EXIF orientation is applied: the size the user sees. */
  readonly size: Size;
}

export type ImageRole = "image" | "mask";

/**
 * Byte size, format and oriented size from the header. Nothing is decompressed here, so a small file that
 * claims a huge size (a decompression bomb) is refused by the caller's size check before any decoding.
 */
export async function probeImage(bytes: Uint8Array, role: ImageRole): Promise<ImageProbe> {
  const invalid = role === "image" ? "image_invalid" : "mask_invalid";
  if (bytes.byteLength > uploadLimits.maxBytes) {
    throw new JobFailure(
      role === "image" ? "image_too_large" : "mask_invalid",
      `the ${role} is ${bytes.byteLength} bytes; at most ${uploadLimits.maxBytes} are allowed`,
    );
  }
  let metadata: Metadata;
  try {
    // Reading the header decodes no pixels; without this sharp itself would refuse a huge claimed size, and the
    // caller could not tell "too large" from "invalid".
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new JobFailure(invalid, `the ${role} could not be read as PNG, JPEG or WebP: ${(error as Error).message}`);
  }
  if (!acceptedFormats.has(metadata.format)) {
    throw new JobFailure(invalid, `the ${role} is ${metadata.format}; PNG, JPEG or WebP expected`);
  }
  return {
    format: metadata.format as ImageProbe["format"],
    size: { width: metadata.autoOrient.width, height: metadata.autoOrient.height },
  };
}
