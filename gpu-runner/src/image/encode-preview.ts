/** @module encode-preview: a decoded clean-image estimate -> a small JPEG within the preview limits. */
import { previewLimits, type Size } from "@stochedit/shared";
import { rgbImage } from "./encode-image.js";
import type { ImageTensor } from "./image-tensor.js";

export interface PreviewJpeg {
  readonly jpeg: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Qualities tried in turn; below the last the picture shrinks instead. */
const qualities = [80, 65, 50, 35] as const;

/** The uploaded image's size scaled (never up) so that its longest side is at most `maxSide`. */
export function previewSize(size: Size, maxSide: number = previewLimits.maxSide): Size {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  return {
    width: Math.max(1, Math.round(size.width * scale)),
    height: Math.max(1, Math.round(size.height * scale)),
  };
}

/**
 * Resizes the tensor (at the working size) to previewSize of the uploaded image's size and encodes a JPEG, lowering
 * the quality and then the size until it fits in `maxBytes`; a 1 px JPEG is far below any sensible limit, so it ends.
 */
export async function encodePreview(
  tensor: ImageTensor,
  size: Size,
  maxBytes: number = previewLimits.maxBytes,
): Promise<PreviewJpeg> {
  const image = rgbImage(tensor);
  for (let side: number = previewLimits.maxSide; ; side = Math.floor(side * 0.75)) {
    const target = previewSize(size, Math.max(1, side));
    for (const quality of qualities) {
      const jpeg = await image
        .clone()
        .resize(target.width, target.height, { fit: "fill" })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer();
      if (jpeg.byteLength <= maxBytes || side <= 1) return { jpeg: new Uint8Array(jpeg), ...target };
    }
  }
}
