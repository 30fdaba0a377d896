import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModels } from "../model/tiny/write-tiny-model.js";
import { type ProtocolEdge, startProtocolEdge } from "./testing/protocol-edge.js";

const mainPath = new URL("./main.ts", import.meta.url).pathname;
let root: string;
let edge: ProtocolEdge;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-runner-main-"));
  [edge] = await Promise.all([startProtocolEdge(), ensureTinyModels(root)]);
});
afterAll(() => Promise.all([edge.close(), rm(root, { recursive: true, force: true })]));

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

describe("the runner process", () => {
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
});
