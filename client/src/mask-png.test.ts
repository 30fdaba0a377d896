import { inflateSync } from "node:zlib";
import sharp from "sharp";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeMaskPng, zlibStored } from "./mask-png.js";

const [width, height] = [37, 21];
const pixels = Uint8Array.from({ length: width * height }, (_, i) => ((i % width) * 7 + Math.floor(i / width)) % 256);

async function decoded(png: Uint8Array): Promise<Uint8Array> {
  expect(await sharp(png).metadata()).toMatchObject({ format: "png", width, height, channels: 1, depth: "uchar" });
  return new Uint8Array(await sharp(png).extractChannel(0).raw().toBuffer());
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("encodeMaskPng", () => {
  it("writes a one-channel 8-bit PNG that an independent decoder reads back pixel for pixel", async () => {
    expect(await decoded(await encodeMaskPng(pixels, width, height))).toEqual(pixels);
  });

  it("writes the same pixels where the runtime has no CompressionStream (React Native)", async () => {
    vi.stubGlobal("CompressionStream", undefined);
    const png = await encodeMaskPng(pixels, width, height);
    expect(await decoded(png)).toEqual(pixels);
  });

  it("refuses pixels that do not match the size", async () => {
    await expect(encodeMaskPng(new Uint8Array(10), 4, 3)).rejects.toThrow("10 pixels given for a 4x3 image");
  });
});

describe("zlibStored", () => {
  it("is a zlib stream that inflates to its input, across several 64 KiB blocks and when empty", () => {
    const large = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 31) % 251);
    for (const input of [large, new Uint8Array(0), Uint8Array.of(1, 2, 3)]) {
      expect(inflateSync(zlibStored(input)).equals(input)).toBe(true);
    }
  });
});
