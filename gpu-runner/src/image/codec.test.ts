import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { JobFailure } from "../job-failure.js";
import { decodeImage } from "./decode-image.js";
import { decodeMask } from "./decode-mask.js";
import { encodeImage, rgbBytes } from "./encode-image.js";
import { maskOf, pngClaiming, pngOf } from "./image-fixtures.js";

const photoPath = new URL("../../test-fixtures/sculpture.jpg", import.meta.url);

/** The [r, g, b] at (x, y) of a decoded tensor, back in 0..255. */
function rgbAt(tensor: { data: Float32Array; width: number; height: number }, x: number, y: number) {
  const count = tensor.width * tensor.height;
  return [0, 1, 2].map((c) => Math.round((tensor.data[c * count + y * tensor.width + x]! + 1) * 127.5));
}

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof JobFailure)) throw new Error(`expected a JobFailure, got ${String(error)}`);
  return error;
}

describe("decodeImage", () => {
  it("decodes a real photo to [-1, 1] RGB at its size (1000 is a multiple of 8)", async () => {
    const { tensor, originalSize } = await decodeImage(await readFile(photoPath));
    expect(originalSize).toEqual({ width: 1000, height: 1000 });
    expect([tensor.width, tensor.height]).toEqual([1000, 1000]);
    expect(Math.min(...tensor.data.subarray(0, 5000))).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...tensor.data.subarray(0, 5000))).toBeLessThanOrEqual(1);
  });

  it("rounds sides to multiples of 8 and the encoder restores the uploaded size", async () => {
    const { tensor, originalSize } = await decodeImage(await pngOf(70, 65, () => [10, 200, 30]));
    expect(originalSize).toEqual({ width: 70, height: 65 });
    expect([tensor.width, tensor.height]).toEqual([72, 64]);
    expect(rgbAt(tensor, 40, 30)).toEqual([10, 200, 30]);
    const png = await encodeImage(tensor, originalSize, "png");
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 70, 65]);
  });

  it("applies the EXIF orientation (6: rotate 90 degrees clockwise)", async () => {
    // Stored 96 wide x 64 high, left half red and right half blue; displayed 64 wide x 96 high, red on top.
    const stored = await pngOf(96, 64, (x) => (x < 48 ? [220, 0, 0] : [0, 0, 220]));
    const jpeg = await sharp(stored).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const { tensor, originalSize } = await decodeImage(jpeg);
    expect(originalSize).toEqual({ width: 64, height: 96 });
    const [top, bottom] = [rgbAt(tensor, 32, 10), rgbAt(tensor, 32, 85)];
    expect(top[0]!).toBeGreaterThan(180);
    expect(top[2]!).toBeLessThan(40);
    expect(bottom[2]!).toBeGreaterThan(180);
    expect(bottom[0]!).toBeLessThan(40);
  });

  it("drops alpha and keeps the colour under it; turns grey into RGB", async () => {
    const rgba = Buffer.alloc(64 * 64 * 4);
    for (let i = 0; i < 64 * 64; i++) rgba.set([200, 10, 10, i % 2 === 0 ? 0 : 128], i * 4);
    const transparent = await sharp(rgba, { raw: { width: 64, height: 64, channels: 4 } })
      .png()
      .toBuffer();
    expect(rgbAt((await decodeImage(transparent)).tensor, 5, 5)).toEqual([200, 10, 10]);
    const grey = await sharp(Buffer.alloc(64 * 64, 90), { raw: { width: 64, height: 64, channels: 1 } })
      .png()
      .toBuffer();
    expect(rgbAt((await decodeImage(grey)).tensor, 1, 1)).toEqual([90, 90, 90]);
  });

  it("refuses a header claiming 100000x100000 before decoding anything", async () => {
    const failure = await failureOf(decodeImage(pngClaiming(100_000, 100_000)));
    expect(failure.code).toBe("image_too_large");
    expect(failure.message).toMatch(/100000x100000.*at most 2048/);
  });

  it("refuses too many pixels and too small sides", async () => {
    const tooMany = await failureOf(decodeImage(pngClaiming(2048, 2048)));
    expect(tooMany.code).toBe("image_too_large");
    expect(tooMany.message).toMatch(/4194304 px/);
    const small = await failureOf(decodeImage(await pngOf(48, 200, () => [0, 0, 0])));
    expect(small.code).toBe("image_too_small");
    expect(small.message).toMatch(/48x200.*at least 64/);
  });

  it("refuses more bytes than an upload may have", async () => {
    const failure = await failureOf(decodeImage(new Uint8Array(20 * 1024 * 1024 + 1)));
    expect(failure.code).toBe("image_too_large");
  });

  it("gives image_invalid for bytes that are no image, a GIF, and truncated or corrupted files", async () => {
    const photo = await readFile(photoPath);
    const png = await pngOf(64, 64, (x, y) => [x * 4, y * 4, 100]);
    const corrupted = Buffer.from(png);
    for (let i = 60; i < corrupted.length - 20; i += 7) corrupted[i] = 0xff - corrupted[i]!;
    const gif = await sharp(png).gif().toBuffer();
    const cases: [string, Uint8Array][] = [
      ["random bytes", new TextEncoder().encode("this is not an image at all")],
      ["empty", new Uint8Array(0)],
      ["gif", gif],
      ["truncated jpeg", photo.subarray(0, Math.floor(photo.length / 2))],
      ["truncated png", png.subarray(0, Math.floor(png.length * 0.6))],
      ["corrupted png", corrupted],
    ];
    for (const [name, bytes] of cases) {
      const failure = await failureOf(decodeImage(bytes));
      expect(failure.code, name).toBe("image_invalid");
    }
    expect((await failureOf(decodeImage(gif))).message).toMatch(/is gif; PNG, JPEG or WebP expected/);
  });
});

describe("decodeMask", () => {
  it("averages 8x8 blocks into latent cells, 255 = 1", async () => {
    const { latent: mask, pixels } = await decodeMask(await maskOf(64, 64, (x) => x < 28), { width: 64, height: 64 });
    expect(mask.length).toBe(64);
    expect([pixels[27], pixels[28]]).toEqual([1, 0]);
    // Columns 0..2 are fully editable, column 3 half (x 24..27), columns 4..7 kept.
    expect(Array.from(mask.subarray(0, 8))).toEqual([1, 1, 1, 0.5, 0, 0, 0, 0]);
  });

  it("follows the working size of odd-sized images", async () => {
    const { latent: mask } = await decodeMask(await maskOf(70, 65, () => true), { width: 70, height: 65 });
    expect(mask.length).toBe(9 * 8);
    expect(Math.min(...mask)).toBe(1);
  });

  it("refuses a mask of another size and one that is not an image", async () => {
    const mismatch = await failureOf(decodeMask(await maskOf(64, 72, () => true), { width: 64, height: 64 }));
    expect(mismatch.code).toBe("mask_size_mismatch");
    expect(mismatch.message).toMatch(/64x72.*64x64/);
    const invalid = await failureOf(decodeMask(new Uint8Array([1, 2, 3]), { width: 64, height: 64 }));
    expect(invalid.code).toBe("mask_invalid");
  });
});

describe("encodeImage", () => {
  it("writes PNG, JPEG and WebP", async () => {
    const { tensor, originalSize } = await decodeImage(await pngOf(64, 64, (x) => [x * 4, 50, 200]));
    for (const format of ["png", "jpeg", "webp"] as const) {
      const meta = await sharp(await encodeImage(tensor, originalSize, format)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([format, 64, 64]);
    }
  });

  it("rounds each value to round((v + 1) 127.5) clamped to 0..255, at every rounding boundary", () => {
    // Float32 values around each boundary between two bytes (and around -1, 1), the ends, and specials.
    const values: number[] = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 2 ** -60, -(2 ** -60), 5, -5];
    const bits = new Uint32Array(1);
    const float = new Float32Array(bits.buffer);
    for (let k = -1; k <= 256; k++) {
      float[0] = (k + 0.5) / 127.5 - 1;
      const center = bits[0]!;
      for (let d = -64; d <= 64; d++) {
        bits[0] = center + d;
        values.push(float[0]!);
      }
    }
    const data = Float32Array.from(values);
    const pixels = rgbBytes({ data: new Float32Array([...data, ...data, ...data]), width: data.length, height: 1 });
    const expected = [...data].map((v) => Math.min(255, Math.max(0, Math.round((v + 1) * 127.5))) || 0);
    expect([...pixels.subarray(0, 3 * data.length)].filter((_, i) => i % 3 === 0)).toEqual(expected);
    expect([...pixels].filter((_, i) => i % 3 === 2)).toEqual(expected);
  });
});
