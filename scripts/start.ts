/** @module start: `npm start`: s3rver, the edge under `wrangler dev`, one CPU runner and a dev account, on loopback. */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startCronTicker } from "./local-stack/cron-ticker.js";
import { ensureDevAccount } from "./local-stack/dev-account.js";
import { ensureDevVars } from "./local-stack/dev-vars.js";
import { applyLocalMigrations, startEdgeDev } from "./local-stack/edge-dev.js";
import { linePrinter } from "./local-stack/line-printer.js";
import { type LocalS3, startLocalS3 } from "./local-stack/local-s3.js";
import { ensurePlaygroundBuilt } from "./local-stack/playground-build.js";
import { runningProcesses } from "./local-stack/process-group.js";
import { repoRoot } from "./local-stack/repo-paths.js";
import { startRunnerProcess } from "./local-stack/runner-process.js";

const ports = {
  edge: Number(process.env.STOCHEDIT_EDGE_PORT ?? 8787),
  s3: Number(process.env.STOCHEDIT_S3_PORT ?? 9000),
  runnerHealth: Number(process.env.RUNNER_HEALTH_PORT ?? 9464),
};
const localDir = join(repoRoot, ".local");
const say = (text: string) => process.stdout.write(`[start] ${text}\n`);

let s3: LocalS3 | undefined;
let stopping: Promise<void> | undefined;

/**
 * Newest process first: the runner finishes or hands back its job while the edge is still up, then the edge goes,
 * then S3. Processes still starting are included, so a Ctrl-C during start-up leaves none behind.
 */
function stopAll(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    say("stopping...");
    for (const child of runningProcesses().reverse()) await child.stop("SIGTERM", 35_000);
    await s3?.close();
    say("stopped");
    process.exit(exitCode);
  })();
  return stopping;
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  await mkdir(localDir, { recursive: true });

  const devVarsPath = join(repoRoot, ".dev.vars");
  const { secrets, created } = await ensureDevVars(devVarsPath);
  if (created.length > 0) say(`wrote ${created.join(", ")} to .dev.vars (gitignored)`);

  s3 = await startLocalS3({ directory: join(localDir, "s3"), port: ports.s3, bucket: "stochedit" });
  say(`S3 (s3rver) on ${s3.endpoint}, bucket ${s3.bucket}, data in .local/s3`);

  if (await ensurePlaygroundBuilt()) say("built the playground page (playground/served/playground)");

  const persistTo = join(localDir, "wrangler");
  say("applying D1 migrations (local)");
  await applyLocalMigrations(persistTo);
  const edge = await startEdgeDev({
    port: ports.edge,
    persistTo,
    vars: { S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket },
    onLine: linePrinter("edge", {
      quiet: /\/internal\/(claim|jobs\/[^/]+\/(heartbeat|progress)) 20\d|\/__scheduled 200/,
    }),
  });
  say(`edge on ${edge.url} (wrangler dev --local, state in .local/wrangler)`);
  // Production's every-minute cron (wrangler.toml [triggers]): sweeps the webhooks an ended edit still owes.
  startCronTicker(edge.url, say);
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
    env: { RUNNER_HEALTH_PORT: String(ports.runnerHealth), RUNNER_PROGRESS_MIN_MS: "250" },
    onLine: linePrinter("runner"),
  });
  void runner.process.exited.then((code) => {
    if (!stopping) say(`the runner exited (${code}); stopping everything`);
    void stopAll(1);
  });

  const credits = (account.balanceMicroCredits / 1_000_000).toFixed(2);
  process.stdout.write(`
stochedit is running locally. Ctrl-C stops everything.

  API         ${edge.url}  (docs: ${edge.url}/docs)
  playground  ${edge.url}/playground/#key=${account.apiKey}
  S3          ${s3.endpoint}/${s3.bucket}
  runner      ${runner.healthUrl}/healthz  ${runner.healthUrl}/metrics
  account     ${account.accountId}  (${credits} credits)
  API key     ${account.apiKey}

Try it:
  export STOCHEDIT_KEY=${account.apiKey}
  curl -s ${edge.url}/v1/account -H "authorization: Bearer $STOCHEDIT_KEY"
  # a whole drag edit, step by step: README.md, "Running locally"

Queue backlog (what the autoscaler reads; METRICS_TOKEN is in .dev.vars):
  curl -s ${edge.url}/internal/metrics -H "authorization: Bearer $(sed -n 's/^METRICS_TOKEN=//p' ${devVarsPath})"

`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
