/**
 * @module process-group: a child process in its own process group, its output as lines, and a clean stop; a
 * watchdog process ends the groups should this process die without stopping them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /**
   * Sends `signal` to the whole group (wrangler's workerd and esbuild children included), waits up to
   * `timeoutMs` (default: the start option `stopTimeoutMs`), then kills the group. Resolves once the process has
   * exited.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
  /** Sends a signal to the group without waiting (tests: kill a runner mid-job). */
  signal(signal: NodeJS.Signals): void;
}

const running = new Set<ManagedProcess>();

const watchdogScript = fileURLToPath(new URL("./group-watchdog.mjs", import.meta.url));
let watchdog: ChildProcess | undefined;

/**
 * Tells the watchdog (started with the first group) that a group began (`+pgid`) or ended (`-pgid`). It runs in a
 * session of its own, so a Ctrl-C meant for this process does not reach it, and it keeps neither this process nor
 * its stdin pipe alive: this process exiting, by any means, closes the pipe, and that is the watchdog's signal.
 */
function tellWatchdog(message: string): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, [watchdogScript], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    watchdog.unref();
    watchdog.stdin?.on("error", () => {
      // The watchdog is gone; there is nothing more to tell it.
    });
    (watchdog.stdin as Socket).unref();
  }
  watchdog.stdin?.write(`${message}\n`);
}

/** Processes started here and not yet exited, oldest first: what a parent must stop before it exits. */
export function runningProcesses(): ManagedProcess[] {
  return [...running];
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Every line the process prints, stdout and stderr alike. */
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** How long `stop()` waits after its signal before it kills the group; 10 s unless given. */
  readonly stopTimeoutMs?: number;
}

/**
 * Starts the process as the leader of a new group: a Ctrl-C in the terminal reaches only the parent, which then
 * stops each child once, in order (a runner given two SIGINTs would skip its grace period).
 */
export function startProcess(options: StartOptions): ManagedProcess {
  const child: ChildProcess = spawn(options.command, [...options.args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${options.name} could not be started (${options.command})`);
  const pid = child.pid;
  for (const stream of ["stdout", "stderr"] as const) {
    const lines = createInterface({ input: child[stream]! });
    lines.on("line", (line) => options.onLine?.(line, stream));
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  tellWatchdog(`+${pid}`);
  let ended = false;
  void exited.then(() => {
    ended = true;
    // The leader is gone; whatever of its group is left (wrangler's workerd) would otherwise outlive it.
    signalGroup("SIGKILL");
    tellWatchdog(`-${pid}`);
  });
  const managed: ManagedProcess = {
    name: options.name,
    pid,
    exited,
    signal: signalGroup,
    async stop(signal = "SIGTERM", timeoutMs = options.stopTimeoutMs ?? 10_000) {
      if (!ended) signalGroup(signal);
      const timer = setTimeout(() => signalGroup("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}
