/** @module local-s3: s3rver on a loopback port with one bucket, for the model-sync and entrypoint tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import S3rver from "s3rver";

/** s3rver accepts only its own fixed key pair (it checks the key id, never the signature). */
export const s3rverCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface LocalS3 {
  /** http://127.0.0.1:port: objects are at ${endpoint}/${bucket}/${key}. */
  readonly endpoint: string;
  readonly bucket: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket: string): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "stochedit-infra-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new AwsClient({ ...s3rverCredentials, service: "s3", region: "us-east-1" });
  return {
    endpoint,
    bucket,
    async put(key, bytes) {
      const response = await client.fetch(`${endpoint}/${bucket}/${key}`, { method: "PUT", body: bytes });
      if (!response.ok) throw new Error(`s3rver PUT ${key} answered ${response.status}`);
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
