/** @module png: encodes real (decodable) grayscale PNGs of any size, for tests that upload images. */

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An 8-bit grayscale PNG filled with a horizontal ramp. */
export async function encodePng(width: number, height: number): Promise<Uint8Array> {
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = x % 256;
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, no filter, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", await deflate(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The PNG grown to exactly `totalBytes` by a tEXt comment before IEND (so two images can share one signed length). */
export function padPng(png: Uint8Array, totalBytes: number): Uint8Array {
  const iendLength = 12;
  const padding = totalBytes - png.length - 12 - "Comment\0".length;
  if (padding < 0) throw new RangeError(`the PNG has ${png.length} bytes; it cannot be padded to ${totalBytes}`);
  const text = chunk("tEXt", new TextEncoder().encode(`Comment\0${"x".repeat(padding)}`));
  const out = new Uint8Array(totalBytes);
  out.set(png.subarray(0, png.length - iendLength), 0);
  out.set(text, png.length - iendLength);
  out.set(png.subarray(png.length - iendLength), png.length - iendLength + text.length);
  return out;
}
