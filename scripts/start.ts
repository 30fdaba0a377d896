/**
 * @module start: `npm start`: s3rver, the edge on workerd (Miniflare), one CPU runner and a dev account, on loopback.
 * It owns what it starts: it refuses to start on a taken port, and no child outlives it, however it ends (a signal,
 * SIGKILL, its launcher gone, or the reader of its output gone).
 */
import { mkdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { formatCredits } from "@stochedit/shared";
import { ensureDevAccount } from "./local-stack/dev-account.js";
import { ensureDevVars } from "./local-stack/dev-vars.js";
import { applyLocalMigrations, startEdgeDev } from "./local-stack/edge-dev.js";
import { linePrinter } from "./local-stack/line-printer.js";
import { type LocalS3, startLocalS3 } from "./local-stack/local-s3.js";
import { watchLauncher } from "./local-stack/parent-watch.js";
import { ensurePlaygroundBuilt } from "./local-stack/playground-build.js";
import { describeHolders, portIsFree } from "./local-stack/port-holder.js";
import { runningProcesses } from "./local-stack/process-group.js";
import { repoRoot } from "./local-stack/repo-paths.js";
import { startRunnerProcess } from "./local-stack/runner-process.js";
import { testModelName, testModelRunnerEnv } from "./local-stack/test-model-runner.js";

interface PortSetting {
  readonly port: number;
  readonly variable: string;
  readonly serves: string;
}

const portSetting = (variable: string, fallback: number, serves: string): PortSetting => ({
  port: Number(process.env[variable] ?? fallback),
  variable,
  serves,
});

const ports = {
  edge: portSetting("STOCHEDIT_EDGE_PORT", 8787, "the edge"),
  s3: portSetting("STOCHEDIT_S3_PORT", 9000, "S3 (s3rver)"),
  runnerHealth: portSetting("RUNNER_HEALTH_PORT", 9464, "the runner's health and metrics"),
  testRunnerHealth: portSetting("TEST_RUNNER_HEALTH_PORT", 9465, "the test-mode runner's health and metrics"),
};
/** s3rver's files, wrangler's D1 / Durable Object / Queue state and the dev account. */
const localDir = resolve(process.env.STOCHEDIT_LOCAL_DIR ?? join(repoRoot, ".local"));
/** The local secrets; the edge server reads them from here too (--env-file). */
const devVarsPath = resolve(process.env.STOCHEDIT_DEV_VARS ?? join(repoRoot, ".dev.vars"));
/** A path inside the repository relative to it, any other in full. */
const shown = (path: string) => (relative(repoRoot, path).startsWith("..") ? path : relative(repoRoot, path));

/** Set once stdout or stderr cannot be written (the reader of `npm start | ...` exited): the stack then stops. */
let outputClosed = false;
const print = (text: string) => {
  if (!outputClosed) process.stdout.write(text);
};
const say = (text: string) => print(`[start] ${text}\n`);
const complain = (text: string) => {
  if (!outputClosed) process.stderr.write(`[start] ${text}\n`);
};

let s3: LocalS3 | undefined;
let stopping: Promise<void> | undefined;

/**
 * Newest process first: the runner finishes or hands back its job while the edge is still up, then the edge goes,
 * then S3. Processes still starting are included, so a Ctrl-C during start-up leaves none behind.
 */
function stopAll(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    say("stopping...");
    for (const child of runningProcesses().reverse()) await child.stop("SIGTERM");
    await s3?.close();
    say("stopped");
    process.exit(exitCode);
  })();
  return stopping;
}

/** Every port of the stack that something else already listens on, with who holds it. */
async function takenPorts(): Promise<string[]> {
  const taken: string[] = [];
  for (const { port, variable, serves } of Object.values(ports)) {
    if (await portIsFree(port)) continue;
    taken.push(
      `port ${port} (${serves}) is in use by ${describeHolders(port)}: stop it, or set ${variable} to another port`,
    );
  }
  return taken;
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stopAll(0));
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", () => {
      outputClosed = true;
      void stopAll(1);
    });
  }
  watchLauncher(() => {
    complain("the process that started this one is gone; stopping everything");
    void stopAll(1);
  });

  const taken = await takenPorts();
  if (taken.length > 0) {
    for (const line of taken) complain(`cannot start: ${line}`);
    process.exit(1);
  }

  await mkdir(localDir, { recursive: true });
  const { secrets, created } = await ensureDevVars(devVarsPath);
  if (created.length > 0) say(`wrote ${created.join(", ")} to ${shown(devVarsPath)} (never commit it)`);

  const s3Dir = join(localDir, "s3");
  s3 = await startLocalS3({ directory: s3Dir, port: ports.s3.port, bucket: "stochedit" });
  say(`S3 (s3rver) on ${s3.endpoint}, bucket ${s3.bucket}, data in ${shown(s3Dir)}`);

  if (await ensurePlaygroundBuilt()) say("built the playground page (playground/served/playground)");

  const persistTo = join(localDir, "wrangler");
  say("applying D1 migrations (local)");
  await applyLocalMigrations(persistTo);
  const edge = await startEdgeDev({
    port: ports.edge.port,
    persistTo,
    envFile: devVarsPath,
    vars: { S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket },
    onLine: linePrinter("edge", {
      quiet: /\/internal\/(claim|jobs\/[^/]+\/(heartbeat|progress)) 20\d|\/healthz 200/,
      write: print,
    }),
  });
  say(`edge on ${edge.url} (workerd via Miniflare, its cron every minute, state in ${shown(persistTo)})`);
  void edge.process.exited.then((code) => {
    if (!stopping) say(`the edge exited (${code}); stopping everything`);
    void stopAll(1);
  });

  const account = await ensureDevAccount(edge.url, secrets.OPERATOR_TOKEN, join(localDir, "dev-account.json"));

  say("starting the runner (loads the model; generates the tiny test model on first start)");
  const runner = await startRunnerProcess({
    edgeUrl: edge.url,
    hmacSecret: secrets.RUNNER_HMAC_SECRET,
    runnerId: "local-runner-1",
    env: { RUNNER_HEALTH_PORT: String(ports.runnerHealth.port), RUNNER_PROGRESS_MIN_MS: "250" },
    onLine: linePrinter("runner", { write: print }),
  });
  void runner.process.exited.then((code) => {
    if (!stopping) say(`the runner exited (${code}); stopping everything`);
    void stopAll(1);
  });

  say(`starting the test-mode runner (the tiny model as ${testModelName}: what sk_test_ keys' edits run on)`);
  const testRunner = await startRunnerProcess({
    edgeUrl: edge.url,
    hmacSecret: secrets.RUNNER_HMAC_SECRET,
    runnerId: "local-test-runner-1",
    env: {
      ...(await testModelRunnerEnv()),
      RUNNER_HEALTH_PORT: String(ports.testRunnerHealth.port),
      RUNNER_PROGRESS_MIN_MS: "250",
    },
    onLine: linePrinter("test-runner", { write: print }),
  });
  void testRunner.process.exited.then((code) => {
    if (!stopping) say(`the test-mode runner exited (${code}); stopping everything`);
    void stopAll(1);
  });

  print(`
stochedit is running locally. Ctrl-C stops everything.

  API         ${edge.url}  (docs: ${edge.url}/docs)
  playground  ${edge.url}/playground/#key=${account.apiKey}
  S3          ${s3.endpoint}/${s3.bucket}
  runner      ${runner.healthUrl}/healthz  ${runner.healthUrl}/metrics
  test runner ${testRunner.healthUrl}/healthz  (${testModelName}, for sk_test_ keys)
  account     ${account.accountId}, balance ${formatCredits(account.balanceMicroCredits)}
  API key     ${account.apiKey}  (live: charged, runs the default model)
  test key    ${account.testApiKey}  (free, deterministic, on ${testModelName}; sees only test data)

Try it:
  export STOCHEDIT_KEY=${account.apiKey}
  curl -s ${edge.url}/v1/account -H "authorization: Bearer $STOCHEDIT_KEY"
  # first edits of emoji the model knows, step by step: README.md, "Running locally"; or the playground's samples

Queue backlog (what the autoscaler reads; METRICS_TOKEN is in ${shown(devVarsPath)}):
  curl -s ${edge.url}/internal/metrics -H "authorization: Bearer $(sed -n 's/^METRICS_TOKEN=//p' ${devVarsPath})"

`);
}

main().catch((error: unknown) => {
  complain(`failed: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
