import { describe, expect, it } from "vitest";
import { apiBase, fakeFetch } from "./testing/fake-api.js";
import { readUploadSource, sniffImageType } from "./upload-source.js";

const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const webp = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38]);
const unused = fakeFetch(() => {
  throw new Error("no fetch expected");
}).fetch;

describe("sniffImageType", () => {
  it("tells PNG, JPEG and WebP by their signatures, and nothing else", () => {
    expect(sniffImageType(png)).toBe("image/png");
    expect(sniffImageType(jpeg)).toBe("image/jpeg");
    expect(sniffImageType(webp)).toBe("image/webp");
    expect(sniffImageType(new TextEncoder().encode("GIF89a......"))).toBeUndefined();
    expect(sniffImageType(new Uint8Array(0))).toBeUndefined();
  });
});

describe("readUploadSource", () => {
  it("sends exactly a view's own bytes, not the buffer around them", async () => {
    const buffer = new Uint8Array([9, 9, ...jpeg, 9]);
    const read = await readUploadSource(buffer.subarray(2, 2 + jpeg.length), undefined, unused);
    expect(read).toMatchObject({ size: jpeg.length, contentType: "image/jpeg" });
    expect(read.body).toEqual(jpeg);
  });

  it("takes a Blob's own type, else its first bytes, and a given type over both", async () => {
    expect((await readUploadSource(new Blob([png], { type: "image/png" }), undefined, unused)).contentType).toBe(
      "image/png",
    );
    expect((await readUploadSource(new Blob([webp]), undefined, unused)).contentType).toBe("image/webp");
    expect((await readUploadSource(new Blob([png]), "image/jpeg", unused)).contentType).toBe("image/jpeg");
    await expect(readUploadSource(new Uint8Array([1, 2, 3]), undefined, unused)).rejects.toThrow(/pass contentType/);
  });

  it("reads a {uri} source through fetch (an image picker's file URI), refusing one that answers an error", async () => {
    const api = fakeFetch((request) =>
      request.url.endsWith("photo.jpg") ? new Response(jpeg) : new Response("gone", { status: 404 }),
    );
    const read = await readUploadSource({ uri: `${apiBase}/photo.jpg` }, undefined, api.fetch);
    expect(read).toMatchObject({ size: jpeg.length, contentType: "image/jpeg" });
    await expect(readUploadSource({ uri: `${apiBase}/missing.jpg` }, undefined, api.fetch)).rejects.toThrow(
      "answered 404",
    );
  });
});
