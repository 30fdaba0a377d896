/** @module local-s3: s3rver on a loopback port with one bucket, and presigned URLs to it, for the runner's tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsV4Signer } from "aws4fetch";
import S3rver from "s3rver";

/** s3rver accepts only its own fixed key pair (it checks the key id and the expiry, never the signature). */
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const bucket = "runner-test";

export interface LocalS3 {
  /** A presigned URL for `key`, valid for `ttlSeconds` (negative: already expired). */
  presign(method: "GET" | "PUT", key: string, headers?: Record<string, string>, ttlSeconds?: number): Promise<string>;
  /** Stores `bytes` under `key` directly (as an app's upload would). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The object and its content type, or undefined when absent. */
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string | null } | undefined>;
  close(): Promise<void>;
}

export async function startLocalS3(): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "stochedit-runner-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const objectUrl = (key: string) => `http://127.0.0.1:${port}/${bucket}/${key}`;
  const presign: LocalS3["presign"] = async (method, key, headers = {}, ttlSeconds = 600) => {
    const url = new URL(objectUrl(key));
    url.searchParams.set("X-Amz-Expires", String(Math.max(1, ttlSeconds)));
    // An expired URL: signed as of a moment far enough back that its validity has run out.
    const signedAt = ttlSeconds > 0 ? new Date() : new Date(Date.now() + (ttlSeconds - 60) * 1000);
    const signer = new AwsV4Signer({
      method,
      url: url.toString(),
      headers,
      ...credentials,
      service: "s3",
      region: "us-east-1",
      datetime: signedAt.toISOString().replace(/[:-]|\.\d{3}/g, ""),
      signQuery: true,
      allHeaders: true,
    });
    return (await signer.sign()).url.toString();
  };
  return {
    presign,
    async put(key, bytes, contentType) {
      const response = await fetch(await presign("PUT", key, { "content-type": contentType }), {
        method: "PUT",
        headers: { "content-type": contentType },
        body: bytes,
      });
      if (!response.ok) throw new Error(`s3rver PUT ${key} answered ${response.status}`);
    },
    async get(key) {
      const response = await fetch(await presign("GET", key));
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`s3rver GET ${key} answered ${response.status}`);
      return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get("content-type") };
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
