/** @module edge-dev: the edge worker on workerd (edge-server.ts, a child process) with local D1 migrations applied. */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { parseDotenv } from "./dev-vars.js";
import { type ManagedProcess, startProcess } from "./process-group.js";
import { edgeServerMain, repoRoot, wranglerBin, wranglerConfig } from "./repo-paths.js";
import { waitUntil } from "./wait-until.js";

export interface EdgeDevOptions {
  readonly port: number;
  /** Local D1, Durable Object and Queue state (wrangler's --persist-to). */
  readonly persistTo: string;
  /**
   * Vars and secrets, given as `--var`: they win over wrangler.toml, the env file and a .dev.vars, so a test's values
   * hold whatever a developer keeps in theirs.
   */
  readonly vars?: Readonly<Record<string, string>>;
  /**
   * The secrets file (`KEY=value` lines), read by the edge server (`--env-file`) instead of relying on the .dev.vars
   * next to wrangler.toml. Its values win over that file's and over variables of the same name in this environment.
   */
  readonly envFile?: string;
  readonly onLine?: (line: string) => void;
  readonly readyTimeoutMs?: number;
  /** A log line per request (default); off for the benchmark. */
  readonly logRequests?: boolean;
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

/**
 * Starts the edge server (edge-server.ts: the worker on Miniflare) and resolves once the worker answers GET /healthz
 * with the instance id this start gave it: an answer from any other server on the port (an orphaned edge of an
 * earlier start, say) is never taken for it.
 */
export async function startEdgeDev(options: EdgeDevOptions): Promise<EdgeDev> {
  const url = `http://127.0.0.1:${options.port}`;
  const instance = randomUUID();
  // WRANGLER_LOG: wrangler's config reader warns that [secrets] is experimental and that the secrets given here
  // as vars are missing from .dev.vars; the bundler's errors still reach the exception edge-server.ts throws.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_LOG: process.env.WRANGLER_LOG ?? "error",
  };
  // wrangler's config reader takes secrets from the environment when it finds no .dev.vars: the file's win.
  const envFileKeys = options.envFile ? Object.keys(parseDotenv(readFileSync(options.envFile, "utf8"))) : [];
  for (const key of envFileKeys) delete env[key];
  const child = startProcess({
    name: "edge",
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      edgeServerMain,
      "--port",
      String(options.port),
      "--persist-to",
      options.persistTo,
      ...(options.envFile ? ["--env-file", options.envFile] : []),
      ...varFlags({ ...options.vars, EDGE_INSTANCE_ID: instance }),
      ...(options.logRequests === false ? ["--no-request-log"] : []),
    ],
    cwd: repoRoot,
    env,
    ...(options.onLine && { onLine: options.onLine }),
  });
  try {
    await waitUntil(() => answersAsInstance(url, instance), {
      what: `the edge on ${url}`,
      timeoutMs: options.readyTimeoutMs ?? 90_000,
      exited: child.exited,
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw error;
  }
  return { url, process: child };
}

/** True once GET /healthz names `instance`; throws (for the wait's last error) when another server answers. */
async function answersAsInstance(url: string, instance: string): Promise<true | undefined> {
  const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
  const body = await response.text();
  if (response.ok && instanceOf(body) === instance) return true;
  throw new Error(
    `${url} answers, but not as the edge this start launched (GET /healthz: ${response.status} ${body.slice(0, 100)})`,
  );
}

function instanceOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { instance?: unknown }).instance;
  } catch {
    return undefined;
  }
}
