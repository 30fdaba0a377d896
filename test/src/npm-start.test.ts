/**
 * `npm start` owns what it starts: real `npm start` processes (s3rver, wrangler dev with workerd, a runner on the
 * committed model) on free ports, with their state in a temporary folder, ended every way a terminal, a supervisor or
 * a pipe can end them; after each, no process it started may be left, and its ports must be free again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEdgeDev } from "../../scripts/local-stack/edge-dev.js";
import { portIsFree } from "../../scripts/local-stack/port-holder.js";
import { repoRoot } from "../../scripts/local-stack/repo-paths.js";
import { waitUntil } from "../../scripts/local-stack/wait-until.js";
import { freePort } from "./support/free-port.js";
import { commandOf, descendants, isRunning, processesRunning } from "./support/process-tree.js";

let stateDir: string;
beforeAll(async () => {
  // One state folder for the file: the D1 and the dev account of the first start are reused, as a developer's are.
  stateDir = await mkdtemp(join(tmpdir(), "stochedit-npm-start-"));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

interface Launched {
  readonly child: ChildProcess;
  readonly ports: {
    readonly edge: number;
    readonly s3: number;
    readonly runnerHealth: number;
    readonly testRunnerHealth: number;
  };
  readonly lines: string[];
  readonly exited: Promise<number | string>;
}

/** Every process a test started or saw below one it started: whatever a test leaves running is killed after it. */
const children: ChildProcess[] = [];
const seen = new Set<number>();

afterEach(() => {
  for (const pid of seen) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  seen.clear();
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

async function freePorts(): Promise<Launched["ports"]> {
  return {
    edge: await freePort(),
    s3: await freePort(),
    runnerHealth: await freePort(),
    testRunnerHealth: await freePort(),
  };
}

/**
 * `npm start` (or start.ts itself, `how: "node"`) in a session of its own, as a terminal's foreground job is: a
 * signal sent to its group reaches npm, the shell and start.ts, as Ctrl-C does.
 */
async function launch(how: "npm" | "node", ports?: Launched["ports"]): Promise<Launched> {
  const chosen = ports ?? (await freePorts());
  const [command, args] =
    how === "npm" ? ["npm", ["start"]] : [process.execPath, ["--import", "tsx", join(repoRoot, "scripts/start.ts")]];
  const child = spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      STOCHEDIT_EDGE_PORT: String(chosen.edge),
      STOCHEDIT_S3_PORT: String(chosen.s3),
      RUNNER_HEALTH_PORT: String(chosen.runnerHealth),
      TEST_RUNNER_HEALTH_PORT: String(chosen.testRunnerHealth),
      STOCHEDIT_LOCAL_DIR: join(stateDir, "local"),
      STOCHEDIT_DEV_VARS: join(stateDir, "dev.vars"),
    },
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => lines.push(line));
    stream.on("error", () => {
      // A test closes stdout on purpose.
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  children.push(child);
  return { child, ports: chosen, lines, exited };
}

/** Resolves once the banner is printed; returns every process below the launched one at that moment. */
async function running(stack: Launched): Promise<number[]> {
  await waitUntil(
    async () => (stack.lines.some((line) => line.includes("stochedit is running locally")) ? true : undefined),
    {
      what: "npm start's banner",
      timeoutMs: 200_000,
      exited: stack.exited,
    },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${stack.lines.slice(-40).join("\n")}`);
  });
  const processes = descendants(stack.child.pid!);
  for (const pid of processes) seen.add(pid);
  // What "everything" means here: the edge (wrangler and workerd), the runner and the watchdog.
  const commands = processes.map(commandOf);
  expect(commands.some((command) => command.includes("workerd serve"))).toBe(true);
  expect(commands.some((command) => command.includes("gpu-runner/src/service/main.ts"))).toBe(true);
  expect(commands.some((command) => command.includes("group-watchdog.mjs"))).toBe(true);
  return processes;
}

/** Every one of `processes` has ended and every port of the stack is free again, within the deadline. */
async function expectAllGone(stack: Launched, processes: readonly number[], timeoutMs = 60_000): Promise<void> {
  await waitUntil(async () => (processes.every((pid) => !isRunning(pid)) ? true : undefined), {
    what: "the end of every process npm start started",
    timeoutMs,
  }).catch((error: Error) => {
    const left = processes.filter(isRunning).map((pid) => `${pid} ${commandOf(pid)}`);
    throw new Error(`${error.message}; still running:\n${left.join("\n")}\n${stack.lines.slice(-30).join("\n")}`);
  });
  for (const port of Object.values(stack.ports)) expect(await portIsFree(port)).toBe(true);
}

/** The start.ts process among `processes` (npm -> sh -c "node ... scripts/start.ts" -> node ... scripts/start.ts). */
const startPid = (processes: readonly number[]) =>
  processes.find((pid) => /^\S*node .*scripts\/start\.ts$/.test(commandOf(pid)))!;

describe("npm start owns what it starts", { timeout: 300_000 }, () => {
  it("Ctrl-C (SIGINT to its process group) stops the runner, the edge and S3", async () => {
    const stack = await launch("npm");
    const processes = await running(stack);
    process.kill(-stack.child.pid!, "SIGINT");
    await stack.exited;
    await expectAllGone(stack, processes);
    expect(stack.lines).toContain("[start] stopped");
    expect(stack.lines.some((line) => line.includes("[runner] stopped"))).toBe(true);
  });

  it("SIGTERM to npm alone stops everything", async () => {
    const stack = await launch("npm");
    const processes = await running(stack);
    stack.child.kill("SIGTERM");
    await stack.exited;
    await expectAllGone(stack, processes);
    expect(stack.lines).toContain("[start] stopped");
  });

  it("SIGKILL of npm: start.ts sees its launcher gone and stops everything", async () => {
    const stack = await launch("npm");
    const processes = await running(stack);
    stack.child.kill("SIGKILL");
    await expectAllGone(stack, processes);
    expect(stack.lines).toContain("[start] the process that started this one is gone; stopping everything");
  });

  it("SIGKILL of start.ts itself: the watchdog ends the edge's and the runner's process groups", async () => {
    const stack = await launch("npm");
    const processes = await running(stack);
    process.kill(startPid(processes), "SIGKILL");
    await expectAllGone(stack, processes);
    expect(stack.lines).not.toContain("[start] stopping...");
  });

  it("a closed stdout (the reader of its output exited) stops everything at the next line it prints", async () => {
    const stack = await launch("node");
    const processes = await running(stack);
    stack.child.stdout!.destroy();
    // Any request makes the edge print a log line, which start.ts passes on to its (now closed) stdout.
    const reply = await fetch(`http://127.0.0.1:${stack.ports.edge}/v1/account`);
    expect(reply.status).toBe(401);
    expect(await stack.exited).toBe(1);
    await expectAllGone(stack, processes);
  });
});

describe("npm start's ports", { timeout: 240_000 }, () => {
  /** A separate process listening on `port` (its PID is what the refusal must name). */
  async function holdPort(port: number): Promise<ChildProcess> {
    const holder = spawn(
      process.execPath,
      ["-e", `require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log("listening"))`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(holder);
    await once(createInterface({ input: holder.stdout! }), "line");
    return holder;
  }

  it("refuses to start when a port it needs is taken, naming the PID that holds it, and starts nothing", async () => {
    const ports = await freePorts();
    const edgeHolder = await holdPort(ports.edge);
    const healthHolder = await holdPort(ports.runnerHealth);
    const stack = await launch("node", ports);
    expect(await stack.exited).toBe(1);
    const output = stack.lines.join("\n");
    expect(output).toContain(
      `[start] cannot start: port ${ports.edge} (the edge) is in use by PID ${edgeHolder.pid} (${process.execPath} -e`,
    );
    expect(output).toContain(`set STOCHEDIT_EDGE_PORT to another port`);
    expect(output).toContain(
      `[start] cannot start: port ${ports.runnerHealth} (the runner's health and metrics) is in use by PID ${healthHolder.pid} `,
    );
    expect(output).not.toContain(`port ${ports.s3}`);
    expect(output).not.toContain("[start] S3 (s3rver) on");
    expect(await portIsFree(ports.s3)).toBe(true);
  });

  it("the edge's readiness check does not take another server on its port for the edge it launched", async () => {
    // Answers every request as a healthy edge would, but it is not the one being started.
    const impostor: Server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","instance":"another"}');
    });
    const port = await freePort();
    impostor.listen(port, "127.0.0.1");
    await once(impostor, "listening");
    try {
      const starting = startEdgeDev({ port, persistTo: join(stateDir, "impostor-wrangler"), readyTimeoutMs: 120_000 });
      await expect(starting).rejects.toThrow(
        new RegExp(`http://127.0.0.1:${port} answers, but not as the edge this start launched .*"instance":"another"`),
      );
      // It gave up on its own wrangler too.
      expect(processesRunning(`--port ${port} `)).toEqual([]);
    } finally {
      impostor.close();
    }
  });
});
