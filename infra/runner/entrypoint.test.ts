import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { ensureTinyModels, tinyModelSpecs } from "@stochedit/gpu-runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, s3rverCredentials, startLocalS3 } from "../testing/local-s3.js";

// The container's start path on the CPU: entrypoint.sh syncs a model folder from S3, starts the runner, the
// image's health check sees it ready, SIGTERM stops it gracefully. Only CUDA differs in the image.
const entrypoint = join(import.meta.dirname, "entrypoint.sh");
const healthcheck = join(import.meta.dirname, "healthcheck.mjs");
const modelName = "sd15-fp32";

let s3: LocalS3;
let workDir: string;
/** An edge URL that refuses connections: the runner keeps backing off, which is all these tests need. */
let closedEdgeUrl: string;

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "stochedit-infra-entrypoint-"));
  const spec = tinyModelSpecs.find((candidate) => candidate.name === modelName);
  if (spec === undefined) throw new Error(`no tiny model spec named ${modelName}`);
  await ensureTinyModels(join(workDir, "generated"), [spec]);
  s3 = await startLocalS3("models");
  const modelDir = join(workDir, "generated", modelName);
  for (const file of await filesBelow(modelDir)) {
    await s3.put(`tiny/${modelName}/${file}`, new Uint8Array(await readFile(join(modelDir, file))));
  }
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  closedEdgeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
});

afterAll(async () => {
  await s3.close();
  await rm(workDir, { recursive: true, force: true });
});

function startContainerProcess(env: Record<string, string>): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn("sh", [entrypoint, "run"], {
    env: {
      PATH: process.env.PATH ?? "",
      STOCHEDIT_EXECUTION_PROVIDER: "cpu",
      RUNNER_EDGE_URL: closedEdgeUrl,
      RUNNER_HMAC_SECRET: "test-secret-of-at-least-32-characters",
      RUNNER_HEALTH_HOST: "127.0.0.1",
      RUNNER_HEALTH_PORT: "0",
      RUNNER_IDLE_BACKOFF_MAX_MS: "1000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The runner logs on stdout, the model sync on stderr: one stream of JSON lines for the test.
  const stderrLines = createInterface({ input: child.stderr! });
  const stdoutLines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = 0;
  for (const reader of [stderrLines, stdoutLines]) {
    reader.on("line", (line) => {
      queue.push(line);
      wake?.();
    });
    reader.on("close", () => {
      ended++;
      wake?.();
    });
  }
  const lines: AsyncIterator<string> = {
    async next() {
      while (queue.length === 0 && ended < 2) await new Promise<void>((resolve) => (wake = resolve));
      const line = queue.shift();
      return line === undefined ? { done: true, value: undefined } : { done: false, value: line };
    },
  };
  return { child, lines };
}

/** Reads log lines until one has `message` (or `msg`) equal to `wanted`; every line read is kept in `seen`. */
async function waitForLog(
  lines: AsyncIterator<string>,
  wanted: string,
  seen: string[],
): Promise<Record<string, unknown>> {
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    seen.push(next.value);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(next.value);
    } catch {
      continue;
    }
    if (parsed.message === wanted || parsed.msg === wanted) return parsed;
  }
  throw new Error(`the process ended before logging "${wanted}":\n${seen.join("\n")}`);
}

const runHealthcheck = (port: string) =>
  promisify(execFile)(process.execPath, [healthcheck], { env: { RUNNER_HEALTH_PORT: port } }).then(
    () => 0,
    (error: { code: number }) => error.code,
  );

describe("entrypoint.sh run", () => {
  it("syncs the model from S3, starts a runner the health check sees ready, and stops it on SIGTERM", async () => {
    const modelDir = join(workDir, "synced", "sd15");
    const { child, lines } = startContainerProcess({
      STOCHEDIT_MODEL_DIR: modelDir,
      STOCHEDIT_MODEL_S3_URI: `s3://models/tiny/${modelName}/`,
      STOCHEDIT_MODEL_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
    });
    const seen: string[] = [];
    try {
      const synced = await waitForLog(lines, "model sync done", seen);
      expect(synced.downloaded).toBeGreaterThan(5);
      const listening = await waitForLog(lines, "health and metrics listening", seen);
      const port = new URL(String(listening.url)).port;
      const ready = await waitForLog(lines, "runner ready", seen);
      expect(ready.dir).toBe(modelDir);
      expect(await runHealthcheck(port)).toBe(0);
      expect((await stat(join(modelDir, "unet/model.onnx"))).isFile()).toBe(true);

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await waitForLog(lines, "stopped", seen);
      expect(await exited).toEqual([0, null]);
      expect(await runHealthcheck(port)).toBe(1);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("does not start the runner when the model sync fails, and exits non-zero", async () => {
    const { child, lines } = startContainerProcess({
      STOCHEDIT_MODEL_DIR: join(workDir, "never"),
      STOCHEDIT_MODEL_S3_URI: "s3://models/no-such-model/",
      STOCHEDIT_MODEL_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
    });
    const exited = once(child, "exit");
    const seen: string[] = [];
    await waitForLog(
      lines,
      "model sync failed: no objects under s3://models/no-such-model/: is STOCHEDIT_MODEL_S3_URI right?",
      seen,
    );
    expect(await exited).toEqual([1, null]);
    for (let next = await lines.next(); !next.done; next = await lines.next()) seen.push(next.value);
    expect(seen.join("\n")).not.toContain("health and metrics listening");
  });
});
