/**
 * @module vitest.global-setup: starts s3rver and a webhook receiver on loopback ports (in Node) and provides their
 * URLs and the D1 migrations.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readD1Migrations } from "@cloudflare/vitest-pool-workers";
import S3rver from "s3rver";
import type { TestProject } from "vitest/node";
import { startWebhookReceiver } from "./src/test-support/webhook-receiver.js";

export const testBucket = "stochedit-test";

export default async function setup(project: TestProject) {
  const directory = await mkdtemp(path.join(tmpdir(), "stochedit-edge-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: testBucket, configs: [] }],
  });
  const { port } = await server.run();
  const receiver = await startWebhookReceiver();
  project.provide("s3Endpoint", `http://127.0.0.1:${port}`);
  project.provide("webhookReceiver", receiver.url);
  project.provide("d1Migrations", await readD1Migrations(path.join(import.meta.dirname, "src/db/migrations")));
  return async () => {
    await receiver.close();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  };
}
