/**
 * @module sample-images: small test inputs: the committed sculpture photo scaled down, a mask, a corrupt file, and
 * flat PNGs padded to a chosen byte length.
 */
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

/** A flat grey PNG of the given size, grown to exactly `totalBytes` by a tEXt comment before its IEND chunk. */
export async function paddedFlatPng(width: number, height: number, totalBytes: number): Promise<Uint8Array> {
  const png = await sharp({ create: { width, height, channels: 3, background: "#808080" } })
    .png()
    .toBuffer();
  const overhead = 12 + "Comment\0".length;
  const padding = totalBytes - png.length - overhead;
  if (padding < 0) throw new RangeError(`a ${width}x${height} PNG has ${png.length} bytes, more than ${totalBytes}`);
  const iend = png.length - 12;
  return new Uint8Array(
    Buffer.concat([png.subarray(0, iend), pngChunk("tEXt", `Comment\0${"x".repeat(padding)}`), png.subarray(iend)]),
  );
}

function pngChunk(type: string, text: string): Buffer {
  const body = Buffer.from(type + text, "latin1");
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), body.length + 4);
  return chunk;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
