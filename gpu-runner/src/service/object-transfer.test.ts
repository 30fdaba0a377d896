import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobFailure } from "../job-failure.js";
import { JobStop } from "./job-stop.js";
import { downloadObject, uploadObject } from "./object-transfer.js";
import { type LocalS3, startLocalS3 } from "./testing/local-s3.js";

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.put("inputs/photo.png", new Uint8Array(2_000).fill(7), "image/png");
});
afterAll(() => s3.close());

const limits = { maxBytes: 10_000, timeoutMs: 5_000 };

describe("downloadObject", () => {
  it("reads an object through its presigned GET URL", async () => {
    const bytes = await downloadObject(await s3.presign("GET", "inputs/photo.png"), "image", limits);
    expect(bytes).toEqual(new Uint8Array(2_000).fill(7));
  });

  it("says which input is missing", async () => {
    const url = await s3.presign("GET", "inputs/never-uploaded.png");
    await expect(downloadObject(url, "image", limits)).rejects.toMatchObject({ code: "image_missing" });
    await expect(downloadObject(url, "mask", limits)).rejects.toMatchObject({ code: "mask_missing" });
  });

  it("refuses an object over the limit from its declared length", async () => {
    const url = await s3.presign("GET", "inputs/photo.png");
    const download = downloadObject(url, "image", { ...limits, maxBytes: 1_999 });
    await expect(download).rejects.toMatchObject({ code: "image_too_large", message: /2000 bytes; at most 1999/ });
  });

  it("stops reading a stream without a length once it passes the limit", async () => {
    // s3rver always sends Content-Length; a chunked answer needs a server of its own.
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "image/png" });
      for (let i = 0; i < 20; i++) response.write(Buffer.alloc(1_000));
      response.end();
    }).listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const download = downloadObject(`http://127.0.0.1:${port}/chunked`, "mask", { ...limits, maxBytes: 5_000 });
      await expect(download).rejects.toMatchObject({ code: "mask_invalid", message: /at most 5000/ });
    } finally {
      server.close();
    }
  });

  it("reports a store it cannot reach as a retryable internal failure", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const download = downloadObject(`http://127.0.0.1:${port}/gone`, "image", limits);
    await expect(download).rejects.toBeInstanceOf(JobFailure);
    await expect(download).rejects.toMatchObject({ code: "internal", message: /could not download the image/ });
  });

  it("gives up with the job's stop reason once the job is stopped", async () => {
    const aborter = new AbortController();
    const stop = new JobStop("canceled", "the edit was canceled");
    aborter.abort(stop);
    const url = await s3.presign("GET", "inputs/photo.png");
    await expect(downloadObject(url, "image", { ...limits, signal: aborter.signal })).rejects.toBe(stop);
  });
});

describe("uploadObject", () => {
  it("stores the output with the presigned headers", async () => {
    const headers = { "content-type": "image/webp" };
    const bytes = new Uint8Array([82, 73, 70, 70, 1, 2, 3]);
    await uploadObject({ url: await s3.presign("PUT", "outputs/a.webp", headers), headers }, bytes, limits);
    expect(await s3.get("outputs/a.webp")).toEqual({ bytes, contentType: "image/webp" });
  });

  it("turns a refused upload into output_upload_failed", async () => {
    const headers = { "content-type": "image/png" };
    const expired = await s3.presign("PUT", "outputs/late.png", headers, -10);
    const upload = uploadObject({ url: expired, headers }, new Uint8Array([1]), limits);
    await expect(upload).rejects.toMatchObject({ code: "output_upload_failed", message: /HTTP 403/ });
    expect(await s3.get("outputs/late.png")).toBeUndefined();
  });
});
