import { env } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { encodePng } from "../test-support/png.js";
import { probeImageSize } from "./image-size.js";
import { objectUrl } from "./object-store.js";
import { type ByteReader, s3RangeReader } from "./range-reader.js";

const memoryReader =
  (bytes: Uint8Array): ByteReader =>
  async (offset, length) =>
    bytes.subarray(offset, offset + length);

const concat = (...parts: (Uint8Array | number[])[]) => {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
};
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const segment = (marker: number, payload: Uint8Array | number[]) =>
  concat([0xff, marker, ...be16(payload.length + 2)], payload);

/** EXIF APP1 payload with one IFD0 entry, Orientation, in the given byte order. */
function exif(orientation: number, order: "II" | "MM") {
  const u16 = order === "II" ? le16 : be16;
  const u32 = (n: number) => (order === "II" ? [...le16(n), 0, 0] : [0, 0, ...be16(n)]);
  return concat(
    ascii("Exif\0\0"),
    ascii(order),
    u16(42),
    u32(8),
    u16(1),
    u16(0x0112),
    u16(3),
    u32(1),
    u16(orientation),
    [0, 0],
    u32(0),
  );
}

/** SOI, optional segments, SOFn with the frame size, then SOS: enough header for the probe. */
function jpeg(width: number, height: number, before: Uint8Array[] = [], sof = 0xc0) {
  return concat(
    [0xff, 0xd8],
    segment(0xe0, concat(ascii("JFIF\0"), [1, 1, 0, 0, 1, 0, 1, 0, 0])),
    ...before,
    segment(sof, [8, ...be16(height), ...be16(width), 1, 1, 0x11, 0]),
    segment(0xda, [1, 1, 0, 0, 63, 0]),
  );
}

function riff(chunk: string, payload: number[]) {
  const body = concat(ascii("WEBP"), ascii(chunk), [...le16(payload.length), 0, 0], payload);
  return concat(ascii("RIFF"), [...le16(body.length), 0, 0], body);
}

describe("probeImageSize", () => {
  it("reads a PNG's size from IHDR", async () => {
    expect(await probeImageSize(memoryReader(await encodePng(300, 200)))).toEqual({
      ok: true,
      format: "png",
      size: { width: 300, height: 200 },
    });
  });

  it.each([
    ["baseline (SOF0)", 0xc0],
    ["progressive (SOF2)", 0xc2],
  ])("reads a %s JPEG's size", async (_, sof) => {
    expect(await probeImageSize(memoryReader(jpeg(640, 480, [], sof)))).toEqual({
      ok: true,
      format: "jpeg",
      size: { width: 640, height: 480 },
    });
  });

  it.each([
    [1, "II", { width: 640, height: 480 }],
    [3, "MM", { width: 640, height: 480 }],
    [5, "II", { width: 480, height: 640 }],
    [6, "MM", { width: 480, height: 640 }],
    [7, "II", { width: 480, height: 640 }],
    [8, "MM", { width: 480, height: 640 }],
  ] as const)("applies EXIF orientation %i (%s byte order)", async (orientation, order, size) => {
    const bytes = jpeg(640, 480, [segment(0xe1, exif(orientation, order))]);
    expect(await probeImageSize(memoryReader(bytes))).toEqual({ ok: true, format: "jpeg", size });
  });

  it("finds a JPEG's SOF behind a segment larger than one read chunk", async () => {
    const icc = segment(0xe2, new Uint8Array(60_000).fill(7));
    const bytes = jpeg(1024, 768, [icc, icc]);
    expect(await probeImageSize(memoryReader(bytes))).toMatchObject({ ok: true, size: { width: 1024, height: 768 } });
  });

  it("reads WebP sizes from VP8, VP8L and VP8X headers", async () => {
    const vp8 = riff("VP8 ", [0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, ...le16(800), ...le16(600), 0, 0]);
    // VP8L: signature, then (width - 1) in bits 0..13 and (height - 1) in bits 14..27.
    const bits = (333 - 1) | ((222 - 1) << 14);
    const vp8l = riff("VP8L", [
      0x2f,
      bits & 0xff,
      (bits >> 8) & 0xff,
      (bits >> 16) & 0xff,
      (bits >> 24) & 0xff,
      0,
      0,
      0,
      0,
      0,
    ]);
    const vp8x = riff("VP8X", [
      0x10,
      0,
      0,
      0,
      (1500 - 1) & 0xff,
      (1500 - 1) >> 8,
      0,
      (900 - 1) & 0xff,
      (900 - 1) >> 8,
      0,
    ]);
    expect(await probeImageSize(memoryReader(vp8))).toEqual({
      ok: true,
      format: "webp",
      size: { width: 800, height: 600 },
    });
    expect(await probeImageSize(memoryReader(vp8l))).toEqual({
      ok: true,
      format: "webp",
      size: { width: 333, height: 222 },
    });
    expect(await probeImageSize(memoryReader(vp8x))).toEqual({
      ok: true,
      format: "webp",
      size: { width: 1500, height: 900 },
    });
  });

  it.each([
    ["an empty object", new Uint8Array(0), "empty"],
    ["a GIF", concat(ascii("GIF89a"), new Array(30).fill(0)), "not a PNG, JPEG or WebP"],
    ["a JPEG cut before its SOF", jpeg(64, 64).subarray(0, 22), "ended"],
    ["a JPEG with image data before any SOF", concat([0xff, 0xd8], segment(0xda, [1, 1, 0, 0, 63, 0])), "no SOF"],
    ["a WebP with an unknown chunk", riff("ABCD", new Array(12).fill(0)), "unknown first chunk"],
  ])("explains why %s is not usable", async (_, bytes, reason) => {
    const probe = await probeImageSize(memoryReader(bytes));
    expect(probe.ok).toBe(false);
    expect(probe.ok ? "" : probe.reason).toContain(reason);
  });

  it("reads the header of an object in S3 with ranged GETs, including a SOF past the first 64 KiB", async () => {
    const s3 = {
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    };
    const client = new AwsClient({ ...s3, service: "s3" });
    const icc = segment(0xe2, new Uint8Array(65_000).fill(1));
    const bytes = concat(jpeg(2000, 1000, [icc, icc]), new Uint8Array(50_000));
    const url = objectUrl(s3, "tests/image-size/large-header.jpg");
    expect((await client.fetch(url, { method: "PUT", body: bytes })).status).toBe(200);
    expect(await probeImageSize(s3RangeReader(client, url))).toEqual({
      ok: true,
      format: "jpeg",
      size: { width: 2000, height: 1000 },
    });
  });
});
