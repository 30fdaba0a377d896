/** @module image-fixtures: small images built in memory for the codec and CLI tests. */
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";

/** A PNG of `width` x `height` filled by `colour(x, y)` -> [r, g, b]. */
export async function pngOf(
  width: number,
  height: number,
  colour: (x: number, y: number) => readonly [number, number, number],
): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set(colour(x, y), (y * width + x) * 3);
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** A single-channel PNG mask: 255 where `editable(x, y)`, else 0. */
export async function maskOf(width: number, height: number, editable: (x: number, y: number) => boolean) {
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels[y * width + x] = editable(x, y) ? 255 : 0;
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, "ascii");
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/**
 * A decompression bomb: a PNG of a few hundred bytes whose header claims `width` x `height` RGB pixels
 * (its one IDAT chunk holds far fewer rows; a decoder that trusted the header would allocate them all).
 */
export function pngClaiming(width: number, height: number): Uint8Array {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = deflateSync(Buffer.alloc(4096));
  return new Uint8Array(
    Buffer.concat([signature, pngChunk("IHDR", header), pngChunk("IDAT", rows), pngChunk("IEND", Buffer.alloc(0))]),
  );
}
