/**
 * @module image-size: width and height of a PNG, JPEG or WebP from its header bytes, as the image will be shown:
 * a JPEG whose EXIF orientation is 5..8 (rotated a quarter turn) has its sides swapped.
 */
import type { Size } from "@stochedit/shared";
import type { ByteReader } from "./range-reader.js";

export type ImageFormat = "png" | "jpeg" | "webp";

export type ImageProbe = { ok: true; format: ImageFormat; size: Size } | { ok: false; reason: string };

const invalid = (reason: string): ImageProbe => ({ ok: false, reason });

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));
const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);

export async function probeImageSize(read: ByteReader): Promise<ImageProbe> {
  const head = await read(0, 32);
  if (head.length === 0) return invalid("the uploaded object is empty");
  if (head.length >= 24 && u32be(head, 0) === 0x89504e47 && u32be(head, 4) === 0x0d0a1a0a) return pngSize(head);
  if (head[0] === 0xff && head[1] === 0xd8) return jpegSize(read);
  if (head.length >= 30 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 4) === "WEBP") return webpSize(head);
  return invalid("the uploaded object is not a PNG, JPEG or WebP image");
}

/** PNG: the first chunk is IHDR, width and height as big-endian u32 at bytes 16 and 20. */
function pngSize(head: Uint8Array): ImageProbe {
  if (ascii(head, 12, 4) !== "IHDR") return invalid("PNG without an IHDR chunk first");
  return { ok: true, format: "png", size: { width: u32be(head, 16), height: u32be(head, 20) } };
}

/** WebP (RIFF container): lossy VP8, lossless VP8L or extended VP8X, each storing the size differently. */
function webpSize(head: Uint8Array): ImageProbe {
  const chunk = ascii(head, 12, 4);
  if (chunk === "VP8 ") {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height (2 scale bits above each).
    if (head[23] !== 0x9d || head[24] !== 0x01 || head[25] !== 0x2a) return invalid("WebP VP8 without a start code");
    return { ok: true, format: "webp", size: { width: u16le(head, 26) & 0x3fff, height: u16le(head, 28) & 0x3fff } };
  }
  if (chunk === "VP8L") {
    // Signature 0x2f, then width - 1 and height - 1 as two 14-bit fields, little-endian bit order.
    if (head[20] !== 0x2f) return invalid("WebP VP8L without its signature");
    const bits = (head[21]! | (head[22]! << 8) | (head[23]! << 16) | (head[24]! << 24)) >>> 0;
    return { ok: true, format: "webp", size: { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 } };
  }
  if (chunk === "VP8X") {
    // Flags (1 byte), reserved (3), then canvas width - 1 and height - 1 as 24-bit little-endian.
    return { ok: true, format: "webp", size: { width: u24le(head, 24) + 1, height: u24le(head, 27) + 1 } };
  }
  return invalid(`WebP with an unknown first chunk "${chunk}"`);
}

/** Start-of-frame markers (SOF0..SOF15 minus DHT C4, JPG C8 and DAC CC): they carry the frame's size. */
const startOfFrame = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
/** Markers without a length field. */
const standalone = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);

/** JPEG: walk the marker segments to the first SOFn, reading the EXIF orientation (APP1) on the way. */
async function jpegSize(read: ByteReader): Promise<ImageProbe> {
  let offset = 2;
  let orientation = 1;
  for (;;) {
    const marker = await read(offset, 4);
    if (marker.length < 2) return invalid("JPEG ended before its size (no SOF marker)");
    if (marker[0] !== 0xff) return invalid(`JPEG marker expected at byte ${offset}`);
    const code = marker[1]!;
    if (code === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (standalone.has(code)) {
      offset += 2;
      continue;
    }
    if (code === 0xd9 || code === 0xda) return invalid("JPEG has no SOF marker before its image data");
    if (marker.length < 4) return invalid("JPEG ended inside a marker");
    const segmentLength = u16be(marker, 2);
    if (segmentLength < 2) return invalid(`JPEG segment at byte ${offset} has length ${segmentLength}`);
    if (startOfFrame.has(code)) {
      const frame = await read(offset + 4, 5);
      if (frame.length < 5) return invalid("JPEG ended inside its SOF segment");
      const height = u16be(frame, 1);
      const width = u16be(frame, 3);
      const quarterTurn = orientation >= 5 && orientation <= 8;
      return { ok: true, format: "jpeg", size: quarterTurn ? { width: height, height: width } : { width, height } };
    }
    if (code === 0xe1) {
      const app1 = await read(offset + 4, segmentLength - 2);
      orientation = exifOrientation(app1) ?? orientation;
    }
    offset += 2 + segmentLength;
  }
}

/** The Orientation tag (0x0112) of IFD0 in an APP1 "Exif\0\0" payload, or undefined. */
export function exifOrientation(app1: Uint8Array): number | undefined {
  if (app1.length < 14 || ascii(app1, 0, 6) !== "Exif\0\0") return undefined;
  const tiff = app1.subarray(6);
  const little = ascii(tiff, 0, 2) === "II";
  if (!little && ascii(tiff, 0, 2) !== "MM") return undefined;
  const u16 = (i: number) => (little ? u16le(tiff, i) : u16be(tiff, i));
  const u32 = (i: number) => (little ? (u16le(tiff, i) | (u16le(tiff, i + 2) << 16)) >>> 0 : u32be(tiff, i));
  const ifd0 = u32(4);
  if (ifd0 + 2 > tiff.length) return undefined;
  const entries = u16(ifd0);
  for (let i = 0; i < entries; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) === 0x0112) return u16(entry + 8);
  }
  return undefined;
}
