/** @module local-s3: s3rver (an S3-compatible server) on a loopback port, its bucket created on start. */
import { mkdir } from "node:fs/promises";
import S3rver from "s3rver";

/** s3rver accepts only this key pair (it checks the key id and the expiry, never the signature). */
export const s3rverCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/**
 * Browsers (the playground, served by the edge on another port) PUT uploads and GET results straight from S3: the
 * local bucket allows both from any origin, as a production bucket allows them from the web app's origin.
 */
const browserCors = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface LocalS3 {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly bucket: string;
  close(): Promise<void>;
}

export async function startLocalS3(options: { directory: string; port: number; bucket: string }): Promise<LocalS3> {
  await mkdir(options.directory, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket, configs: [browserCors] }],
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, bucket: options.bucket, close: () => server.close() };
}
