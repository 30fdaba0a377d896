import { env } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { encodePng } from "../test-support/png.js";
import { probeImageSize } from "./image-size.js";
import { objectUrl } from "./object-store.js";
import { headBytes, rangeChunkBytes, s3RangeReader } from "./range-reader.js";
import { maxTries, StorageUnavailableError } from "./transient-errors.js";

const s3 = {
  endpoint: env.S3_ENDPOINT,
  bucket: env.S3_BUCKET,
  region: env.S3_REGION,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
};
const client = new AwsClient({ ...s3, service: "s3" });

/**
 * The real client against s3rver, but the first `failures` requests fail as given first: a dropped connection
 * cannot be made to happen on loopback at will, so it is thrown here, where the runtime would throw it.
 */
function failingFirst(failures: (() => Promise<Response>)[]): AwsClient {
  const failing = Object.create(client) as AwsClient;
  let requests = 0;
  failing.fetch = (input, init) => {
    requests++;
    const fail = failures.shift();
    return fail ? fail() : client.fetch(input, init);
  };
  Object.defineProperty(failing, "requests", { get: () => requests });
  return failing;
}

describe("s3RangeReader", () => {
  it("tries a ranged GET again when its connection drops or S3 answers 503, and reads the header", async () => {
    const url = objectUrl(s3, "tests/range-reader/retried.png");
    expect((await client.fetch(url, { method: "PUT", body: await encodePng(40, 30) })).status).toBe(200);
    const flaky = failingFirst([
      async () => {
        throw new Error("Network connection lost.");
      },
      async () => new Response("SlowDown", { status: 503 }),
    ]);
    expect(await probeImageSize(s3RangeReader(flaky, url))).toMatchObject({
      ok: true,
      size: { width: 40, height: 30 },
    });
    expect((flaky as unknown as { requests: number }).requests).toBe(3);
  });

  it(`gives up after ${maxTries} tries, as a transient error (a 503 to the caller)`, async () => {
    const url = objectUrl(s3, "tests/range-reader/down.png");
    const down = failingFirst(Array.from({ length: maxTries }, () => async () => new Response("", { status: 503 })));
    await expect(probeImageSize(s3RangeReader(down, url))).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it("reads a header with one small GET, and any bytes across its chunks as they are", async () => {
    const url = objectUrl(s3, "tests/range-reader/chunks.bin");
    const bytes = Uint8Array.from({ length: headBytes + rangeChunkBytes + 100 }, (_, i) => (i * 31) % 251);
    expect((await client.fetch(url, { method: "PUT", body: bytes })).status).toBe(200);
    const ranges: string[] = [];
    const recording = Object.create(client) as AwsClient;
    recording.fetch = (input, init) => {
      ranges.push(new Headers(init?.headers).get("range") ?? "none");
      return client.fetch(input, init);
    };
    const read = s3RangeReader(recording, url);
    expect(await read(0, 32)).toEqual(bytes.subarray(0, 32));
    expect(ranges).toEqual([`bytes=0-${headBytes - 1}`]);
    // Across the head's end and the next chunk's, to the object's end.
    expect(await read(headBytes - 10, rangeChunkBytes + 200)).toEqual(bytes.subarray(headBytes - 10));
    expect(ranges).toEqual([
      `bytes=0-${headBytes - 1}`,
      `bytes=${headBytes}-${headBytes + rangeChunkBytes - 1}`,
      `bytes=${headBytes + rangeChunkBytes}-${headBytes + 2 * rangeChunkBytes - 1}`,
    ]);
  });
});
