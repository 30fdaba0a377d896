import { previewLimits } from "@stochedit/shared";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { encodePreview, previewSize } from "./encode-preview.js";
import type { ImageTensor } from "./image-tensor.js";

/** A tensor of clipped Gaussian noise in [-1, 1]: about the hardest picture to compress. */
function noiseTensor(width: number, height: number): ImageTensor {
  const data = new GaussianRng(3).fill(new Float32Array(3 * width * height)).map((v) => Math.max(-1, Math.min(1, v)));
  return { data, width, height };
}

describe("previewSize", () => {
  it("scales the longest side down to the limit and keeps the aspect", () => {
    expect(previewSize({ width: 1024, height: 768 })).toEqual({ width: 256, height: 192 });
    expect(previewSize({ width: 500, height: 2000 })).toEqual({ width: 64, height: 256 });
  });

  it("never scales up", () => {
    expect(previewSize({ width: 96, height: 72 })).toEqual({ width: 96, height: 72 });
  });
});

describe("encodePreview", () => {
  it("gives a JPEG at the preview size of the uploaded image, under the byte limit", async () => {
    // The working size (8-rounded) differs from the uploaded 1001x750; the preview keeps the upload's aspect.
    const preview = await encodePreview(noiseTensor(1000, 752), { width: 1001, height: 750 });
    expect(preview).toMatchObject({ width: 256, height: 192 });
    expect(preview.jpeg.byteLength).toBeLessThanOrEqual(previewLimits.maxBytes);
    expect(await sharp(preview.jpeg).metadata()).toMatchObject({ format: "jpeg", width: 256, height: 192 });
  });

  it("lowers the quality, then the size, until a hard picture fits a small limit", async () => {
    const tensor = noiseTensor(512, 512);
    const roomy = await encodePreview(tensor, { width: 512, height: 512 });
    const tight = await encodePreview(tensor, { width: 512, height: 512 }, 6000);
    expect(roomy.jpeg.byteLength).toBeGreaterThan(6000);
    expect(tight.jpeg.byteLength).toBeLessThanOrEqual(6000);
    expect(tight.width).toBeLessThan(256);
    expect(await sharp(tight.jpeg).metadata()).toMatchObject({ format: "jpeg", width: tight.width });
  });
});
