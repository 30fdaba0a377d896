/**
 * @module vitest.global-setup: starts s3rver and a webhook receiver on loopback ports (in Node) and provides their
 * URLs and the D1 migrations.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readD1Migrations } from "@cloudflare/vitest-pool-workers";
import type { TestProject } from "vitest/node";
import { startLocalS3 } from "../scripts/local-stack/local-s3.js";
import { startWebhookReceiver } from "./src/test-support/webhook-receiver.js";

export const testBucket = "stochedit-test";

export default async function setup(project: TestProject) {
  const directory = await mkdtemp(path.join(tmpdir(), "stochedit-edge-s3-"));
  // The local stack's s3rver, so the tests' S3 keeps connections as long as `npm start`'s does.
  const s3 = await startLocalS3({ directory, port: 0, bucket: testBucket });
  const receiver = await startWebhookReceiver();
  project.provide("s3Endpoint", s3.endpoint);
  project.provide("webhookReceiver", receiver.url);
  project.provide("d1Migrations", await readD1Migrations(path.join(import.meta.dirname, "src/db/migrations")));
  return async () => {
    await receiver.close();
    await s3.close();
    await rm(directory, { recursive: true, force: true });
  };
}
