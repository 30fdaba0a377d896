/** @module edge-dev: the edge worker under `wrangler dev --local` (workerd) with local D1 migrations applied. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type ManagedProcess, startProcess } from "./process-group.js";
import { repoRoot, wranglerBin, wranglerConfig } from "./repo-paths.js";
import { waitForHttp } from "./wait-until.js";

export interface EdgeDevOptions {
  readonly port: number;
  /** Local D1, Durable Object and Queue state (wrangler's --persist-to). */
  readonly persistTo: string;
  /**
   * Vars and secrets, given as `--var`: they win over wrangler.toml and over a .dev.vars, so a test's values hold
   * whatever a developer keeps in theirs.
   */
  readonly vars?: Readonly<Record<string, string>>;
  readonly onLine?: (line: string) => void;
  readonly readyTimeoutMs?: number;
}

export interface EdgeDev {
  readonly url: string;
  readonly process: ManagedProcess;
}

const varFlags = (vars: Readonly<Record<string, string>>) =>
  Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);

/** `wrangler d1 migrations apply DB --local`: creates or updates the local D1 under `persistTo`. */
export async function applyLocalMigrations(persistTo: string): Promise<void> {
  const args = [
    wranglerBin,
    "d1",
    "migrations",
    "apply",
    "DB",
    "--local",
    "-c",
    wranglerConfig,
    "--persist-to",
    persistTo,
  ];
  await promisify(execFile)(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  }).catch((error: Error & { stderr?: string; stdout?: string }) => {
    throw new Error(`applying the D1 migrations failed: ${error.stderr || error.stdout || error.message}`);
  });
}

/** Starts `wrangler dev` and resolves once the worker answers GET /openapi.json. */
export async function startEdgeDev(options: EdgeDevOptions): Promise<EdgeDev> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = startProcess({
    name: "edge",
    command: process.execPath,
    args: [
      wranglerBin,
      "dev",
      "-c",
      wranglerConfig,
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--persist-to",
      options.persistTo,
      "--show-interactive-dev-session=false",
      // wrangler dev never fires wrangler.toml's crons: this adds GET /__scheduled, which runs the worker's
      // scheduled() handler (cron-ticker.ts calls it; /cdn-cgi/handler/scheduled fails while [assets] is set).
      "--test-scheduled",
      "--log-level",
      "info",
      ...varFlags(options.vars ?? {}),
    ],
    cwd: repoRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    ...(options.onLine && { onLine: options.onLine }),
  });
  try {
    await waitForHttp(`${url}/openapi.json`, {
      what: `the edge on ${url}`,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      exited: child.exited,
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw error;
  }
  return { url, process: child };
}
