/** @module sample-images: small test inputs: the committed sculpture photo scaled down, a mask, a corrupt file. */
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const sculpture = fileURLToPath(new URL("../../../gpu-runner/test-fixtures/sculpture.jpg", import.meta.url));

/** The sample photo at `side` x `side` px (JPEG), small enough for a fast edit on 2 cores. */
export async function samplePhoto(side = 96): Promise<Uint8Array> {
  return new Uint8Array(await sharp(sculpture).resize(side, side).jpeg({ quality: 90 }).toBuffer());
}

/** A single-channel PNG: 255 (edit / fill) inside the centred square of half the side, 0 elsewhere. */
export async function centreMask(side = 96): Promise<Uint8Array> {
  const pixels = Buffer.alloc(side * side);
  const [low, high] = [side / 4, (3 * side) / 4];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) pixels[y * side + x] = x >= low && x < high && y >= low && y < high ? 255 : 0;
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width: side, height: side, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

/**
 * A PNG whose header is valid (so the edge accepts and prices it) and whose pixel data is garbage: only the runner,
 * decoding it, finds it corrupt.
 */
export async function corruptPng(side = 96): Promise<Uint8Array> {
  const valid = Buffer.from(
    await sharp({ create: { width: side, height: side, channels: 3, background: "#808080" } })
      .png()
      .toBuffer(),
  );
  const idat = valid.indexOf("IDAT");
  valid.fill(0xa5, idat + 4, valid.length - 12);
  return new Uint8Array(valid);
}
