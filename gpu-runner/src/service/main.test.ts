import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModels } from "../model/tiny/write-tiny-model.js";
import { type ProtocolEdge, startProtocolEdge } from "./testing/protocol-edge.js";

const mainPath = new URL("./main.ts", import.meta.url).pathname;
const cudaProviderLibrary = join(
  dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json")),
  "bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so",
);
let root: string;
let edge: ProtocolEdge;

/**
 * Each test starts a runner process (tsx, then a model load in a worker thread): about 2.5 s alone, past vitest's
 * default 5 s on a loaded 2-core machine. The limit guards against hangs; it is no speed target.
 */
const processTimeoutMs = 60_000;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-runner-main-"));
  [edge] = await Promise.all([startProtocolEdge(), ensureTinyModels(root)]);
}, processTimeoutMs);
afterAll(() => Promise.all([edge.close(), rm(root, { recursive: true, force: true })]));

/** A runner asking for CUDA, as the GPU pods' manifests set it up. */
const gpuRunnerEnv = (runnerId: string) => ({
  RUNNER_EDGE_URL: edge.url,
  RUNNER_HMAC_SECRET: edge.secret,
  RUNNER_ID: runnerId,
  RUNNER_HEALTH_PORT: "0",
  STOCHEDIT_MODEL_DIR: join(root, "sd15-fp32"),
  STOCHEDIT_EXECUTION_PROVIDER: "cuda",
});

function runner(env: Record<string, string>): ChildProcess {
  const { RUNNER_EDGE_URL: _url, RUNNER_HMAC_SECRET: _secret, ...inherited } = process.env;
  return spawn(process.execPath, ["--import", "tsx", mainPath], {
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function output(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("the runner process", { timeout: processTimeoutMs }, () => {
  it("exits 2 naming the variables that are missing", async () => {
    const { code, stderr } = await output(runner({}));
    expect(code).toBe(2);
    expect(stderr).toMatch(/RUNNER_EDGE_URL: .*RUNNER_HMAC_SECRET/);
  });

  it("logs JSON lines, claims once ready, and on SIGTERM stops cleanly with exit code 0", async () => {
    const child = runner({
      RUNNER_EDGE_URL: edge.url,
      RUNNER_HMAC_SECRET: edge.secret,
      RUNNER_ID: "main-test",
      RUNNER_HEALTH_PORT: "0",
      STOCHEDIT_MODEL_DIR: join(root, "sd15-fp32"),
    });
    const result = output(child);
    const lines = createInterface({ input: child.stdout! });
    for await (const line of lines) {
      if ((JSON.parse(line) as { message: string }).message === "runner ready") break;
    }
    await edge.waitFor((call) => call.action === "claim" && call.body.runner_id === "main-test");
    child.kill("SIGTERM");
    const { code, stdout } = await result;
    expect(code).toBe(0);
    const messages = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { message: string; runner: string });
    expect(messages.every((line) => line.runner === "main-test")).toBe(true);
    expect(messages.map((line) => line.message)).toEqual(
      expect.arrayContaining(["SIGTERM: shutting down", "stopping: no more claims", "stopped"]),
    );
  });

  // This repository never installs onnxruntime-node's CUDA provider libraries (package.json's allowScripts denies
  // the install script that fetches them), so asking for CUDA here always meets the failure a GPU pod with a broken
  // driver or missing libraries would meet.
  it("with STOCHEDIT_REQUIRE_GPU=1, exits 3 at model load when CUDA cannot load, saying why, and claims nothing", async () => {
    expect(existsSync(cudaProviderLibrary)).toBe(false);
    const { code, stdout, stderr } = await output(
      runner({
        ...gpuRunnerEnv("strict-gpu"),
        STOCHEDIT_REQUIRE_GPU: "1",
      }),
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(/STOCHEDIT_REQUIRE_GPU is set, but the CUDA execution provider could not load/);
    const messages = stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CUDA was asked for but is not available, running on the CPU: /),
        "GPU required but not available",
      ]),
    );
    expect(messages).not.toContain("runner ready");
    expect(edge.calls.some((call) => call.action === "claim" && call.body.runner_id === "strict-gpu")).toBe(false);
  });

  it("without it, falls back to the CPU with a log line and serves", async () => {
    const child = runner(gpuRunnerEnv("lenient-gpu"));
    const result = output(child);
    const lines = createInterface({ input: child.stdout! });
    const messages: string[] = [];
    for await (const line of lines) {
      messages.push((JSON.parse(line) as { message: string }).message);
      if (messages.at(-1) === "runner ready") break;
    }
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^CUDA was asked for but is not available, running on the CPU: /)]),
    );
    await edge.waitFor((call) => call.action === "claim" && call.body.runner_id === "lenient-gpu");
    child.kill("SIGTERM");
    expect((await result).code).toBe(0);
  });
});
