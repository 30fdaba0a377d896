import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { encodeGreyPng } from "./grey-png.js";

describe("encodeGreyPng", () => {
  it("writes a one-channel 8-bit PNG that an independent decoder reads back pixel for pixel", async () => {
    const [width, height] = [37, 21];
    const pixels = Uint8Array.from(
      { length: width * height },
      (_, i) => ((i % width) * 7 + Math.floor(i / width)) % 256,
    );
    const png = await encodeGreyPng(pixels, width, height);
    expect(await sharp(png).metadata()).toMatchObject({ format: "png", width, height, channels: 1, depth: "uchar" });
    const decoded = await sharp(png).extractChannel(0).raw().toBuffer();
    expect(new Uint8Array(decoded)).toEqual(pixels);
  });

  it("refuses pixels that do not match the size", async () => {
    await expect(encodeGreyPng(new Uint8Array(10), 4, 3)).rejects.toThrow("10 pixels given for a 4x3 image");
  });
});
