/** @module runner-process: one GPU runner process (`gpu-runner/src/service/main.ts`) on this machine's CPU. */
import { type ManagedProcess, startProcess } from "./process-group.js";
import { repoRoot, runnerMain } from "./repo-paths.js";
import { waitUntil } from "./wait-until.js";

export interface RunnerProcessOptions {
  readonly edgeUrl: string;
  readonly hmacSecret: string;
  readonly runnerId: string;
  /** More RUNNER_* / STOCHEDIT_* settings (see gpu-runner/src/service/config.ts). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine?: (line: string) => void;
  readonly readyTimeoutMs?: number;
}

export interface RunnerProcess {
  readonly process: ManagedProcess;
  /** http://127.0.0.1:<port> of /healthz and /metrics. */
  readonly healthUrl: string;
}

/** Starts a runner and resolves once it logs "runner ready" (model loaded, claiming). */
export async function startRunnerProcess(options: RunnerProcessOptions): Promise<RunnerProcess> {
  let healthUrl: string | undefined;
  let ready = false;
  const child = startProcess({
    name: options.runnerId,
    command: process.execPath,
    args: ["--import", "tsx", runnerMain],
    cwd: repoRoot,
    env: {
      ...process.env,
      RUNNER_EDGE_URL: options.edgeUrl,
      RUNNER_HMAC_SECRET: options.hmacSecret,
      RUNNER_ID: options.runnerId,
      RUNNER_HEALTH_PORT: "0",
      STOCHEDIT_EXECUTION_PROVIDER: "cpu",
      ...options.env,
    },
    // A runner given SIGTERM finishes or hands back its job within RUNNER_SHUTDOWN_GRACE_MS (30 s by default).
    stopTimeoutMs: 35_000,
    onLine: (line) => {
      const entry = parseLogLine(line);
      if (entry?.message === "health and metrics listening" && typeof entry.url === "string") healthUrl = entry.url;
      if (entry?.message === "runner ready") ready = true;
      options.onLine?.(line);
    },
  });
  try {
    const url = await waitUntil(async () => (ready ? healthUrl : undefined), {
      what: `runner ${options.runnerId}`,
      timeoutMs: options.readyTimeoutMs ?? 120_000,
      exited: child.exited,
      intervalMs: 50,
    });
    return { process: child, healthUrl: url };
  } catch (error) {
    await child.stop("SIGKILL");
    throw error;
  }
}

export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
