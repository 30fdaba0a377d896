/** @module local-s3: s3rver (an S3-compatible server) on a loopback port, its bucket created on start. */
import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
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

/**
 * workerd (the edge's runtime) keeps an idle connection in its pool for 5 s (kj's HttpClientSettings.idleTimeout),
 * and Node's HTTP server closes one idle for 5 s too (keepAliveTimeout). With equal timeouts the edge now and then
 * sends a request down a connection s3rver is closing: "Network connection lost". The server must outlast the
 * client's pool, as S3 and R2 do; a minute is far longer than workerd keeps a connection.
 */
export const s3IdleConnectionMs = 65_000;

/** s3rver's http.Server (set by run(); not in its type declarations), given timeouts longer than workerd's pool. */
export function outlastWorkerdConnections(server: S3rver): void {
  const http = (server as unknown as { httpServer: Server }).httpServer;
  http.keepAliveTimeout = s3IdleConnectionMs;
  http.headersTimeout = s3IdleConnectionMs + 1_000;
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
  outlastWorkerdConnections(server);
  return { endpoint: `http://127.0.0.1:${port}`, bucket: options.bucket, close: () => server.close() };
}
