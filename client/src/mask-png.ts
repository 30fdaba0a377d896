/**
 * @module mask-png: an 8-bit greyscale PNG encoder, the mask format (one channel, 255 = editable / fill). It runs
 * wherever the client does: zlib through CompressionStream where the runtime has it, else stored (uncompressed)
 * deflate blocks, which every PNG decoder reads (React Native's Hermes has no CompressionStream).
 */

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const colourTypeGrey = 0;

/** CRC-32 (IEEE 802.3), as PNG's chunks carry it. */
const crcTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  out.set(
    Array.from(type, (ch) => ch.charCodeAt(0)),
    4,
  );
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(4, 8 + payload.length)));
  return out;
}

/** zlib (RFC 1950) compression, which is what CompressionStream calls "deflate". */
async function zlib(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The largest stored deflate block (RFC 1951 3.2.4: LEN is 16 bits). */
const maxStoredBlock = 0xffff;

/** Adler-32, the checksum that ends a zlib stream. */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored deflate blocks: no compression, no dependency, valid for every inflater. */
export function zlibStored(bytes: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(bytes.length / maxStoredBlock));
  const out = new Uint8Array(2 + blocks * 5 + bytes.length + 4);
  const view = new DataView(out.buffer);
  out.set([0x78, 0x01], 0); // deflate, 32 KiB window; no preset dictionary; check bits make 0x7801 % 31 == 0
  let at = 2;
  for (let block = 0; block < blocks; block++) {
    const data = bytes.subarray(block * maxStoredBlock, (block + 1) * maxStoredBlock);
    out[at] = block === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00 (stored)
    view.setUint16(at + 1, data.length, true);
    view.setUint16(at + 3, ~data.length & 0xffff, true);
    out.set(data, at + 5);
    at += 5 + data.length;
  }
  view.setUint32(at, adler32(bytes));
  return out;
}

function compress(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> | Uint8Array {
  return typeof CompressionStream === "function" ? zlib(bytes) : zlibStored(bytes);
}

/** A mask as PNG bytes, ready for `upload`. `pixels` holds one byte per pixel, row by row (255 = editable / fill). */
export async function encodeMaskPng(pixels: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  if (pixels.length !== width * height) {
    throw new RangeError(`${pixels.length} pixels given for a ${width}x${height} image`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, colourTypeGrey, 0, 0, 0], 8); // bit depth, colour type, compression, filter, interlace
  // Every scanline starts with its filter type; 0 (None) keeps the encoder short, and masks compress well anyway.
  const scanlines = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) scanlines.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [
    Uint8Array.from(signature),
    chunk("IHDR", header),
    chunk("IDAT", await compress(scanlines)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}
