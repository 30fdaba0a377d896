/**
 * @module edge-server: the edge worker served by Miniflare (workerd with local D1, Durable Objects, Queues, assets and
 * the cron trigger) straight on its port, as its own process: `node --import tsx edge-server.ts <options>`.
 *
 * Not `wrangler dev`: that puts a proxy worker in front of the worker, and each request crosses a second HTTP hop
 * between two workerd processes. Both ends of that hop drop an idle connection after 5 s (kj's client idleTimeout and
 * server pipelineTimeout), so under bursts the proxy reuses a connection the worker's side is closing, gets "Network
 * connection lost", and answers a POST with its own 503 "Your worker restarted mid-request" (no worker restarted).
 * The hop also serialises every request through one proxy Durable Object. Here the client talks to workerd directly,
 * as it talks to Cloudflare's edge in production, and the bundle is the one `wrangler deploy` would upload.
 *
 * The static assets (the paths wrangler.toml's run_worker_first leaves to them: the playground and Swagger UI) are
 * served by a worker of their own that Miniflare's entry worker routes those paths to, as Cloudflare does; every
 * other request goes from the entry worker straight to the edge. Given [assets] on the edge worker itself, Miniflare
 * sends every API request through two more isolates (its assets RPC proxy and router) on workerd's one thread: 0.3
 * ms more CPU per request (a 404 costs 0.8 ms with them, 0.5 ms without), and garbage of their own to collect.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { parseDotenv } from "./dev-vars.js";
import { repoRoot, wranglerBin, wranglerConfig } from "./repo-paths.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    "persist-to": { type: "string" },
    "env-file": { type: "string" },
    var: { type: "string", multiple: true, default: [] },
    "no-request-log": { type: "boolean", default: false },
  },
});
const port = Number(values.port);
const persistTo = values["persist-to"];
if (!Number.isInteger(port) || !persistTo) {
  throw new Error(
    "usage: edge-server --port <n> --persist-to <dir> [--env-file <path>] [--var K:V]... [--no-request-log]",
  );
}
const vars = Object.fromEntries(
  values.var.map((pair) => {
    const at = pair.indexOf(":");
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

/** `wrangler deploy --dry-run`: the production bundle, without uploading it. */
async function bundleWorker(outDir: string): Promise<string> {
  await promisify(execFile)(
    process.execPath,
    [wranglerBin, "deploy", "--dry-run", "-c", wranglerConfig, "--env", "", "--outdir", outDir],
    { cwd: repoRoot, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" } },
  ).catch((error: Error & { stderr?: string; stdout?: string }) => {
    throw new Error(`bundling the edge failed: ${error.stderr || error.stdout || error.message}`);
  });
  return join(outDir, "index.js");
}

const bundleDir = join(persistTo, "bundle");
await mkdir(bundleDir, { recursive: true });
const scriptPath = await bundleWorker(bundleDir);
// wrangler.toml's bindings, vars, .dev.vars and assets, as wrangler dev would give them to Miniflare.
const { workerOptions } = unstable_getMiniflareWorkerOptions(wranglerConfig);
const { assets, ...edgeOptions } = workerOptions;
const envFile = values["env-file"] === undefined ? {} : parseDotenv(await readFile(values["env-file"], "utf8"));

/**
 * The worker that serves wrangler.toml's [assets] on the paths its run_worker_first leaves to them ("!/playground"
 * and so on, which wrangler hands over as the router's asset_worker paths), and on no others.
 */
function assetsWorker(assets: NonNullable<typeof workerOptions.assets>) {
  const assetPaths = assets.routerConfig?.static_routing?.asset_worker ?? [];
  if (assetPaths.length === 0) {
    throw new Error("wrangler.toml's [assets] must name the paths they serve (run_worker_first's \"!/path\" entries)");
  }
  return {
    name: "stochedit-assets",
    compatibilityDate: workerOptions.compatibilityDate,
    modules: true,
    // Miniflare's routes reach a worker's script, not its assets router: the script hands each request to the assets,
    // which answer every path it is routed (a missing file is their 404).
    script: "export default { fetch: (request, env) => env.ASSETS.fetch(request) };",
    assets: { ...assets, binding: "ASSETS" },
    routes: assetPaths.map((path: string) => `*${path}`),
  };
}

const miniflare = new Miniflare({
  host: "127.0.0.1",
  port,
  // wrangler's --persist-to layout, so `wrangler d1 migrations apply --local --persist-to` prepared this D1.
  defaultPersistRoot: join(persistTo, "v3"),
  // Offline: no fetch of Cloudflare's request.cf template.
  cf: false,
  log: new Log(LogLevel.INFO),
  // A line per request ("POST /v1/edits 202 Accepted (12ms)"), sent by workerd to this process as a request of its
  // own; the benchmark turns it off, so it measures the worker alone.
  logRequests: !values["no-request-log"],
  ...(process.env.EDGE_INSPECTOR_PORT ? { inspectorPort: Number(process.env.EDGE_INSPECTOR_PORT) } : {}),
  // The worker's console output (its JSON log lines), one line each, as wrangler dev prints it.
  handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
    (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${message}\n`);
  },
  workers: [
    {
      ...edgeOptions,
      name: "stochedit-edge",
      // Miniflare sends every outbound fetch through a worker that strips CF-Connecting-IP, as Cloudflare does; the
      // edge's fetches (S3, webhooks) are built afresh and never carry it, so that hop would only cost CPU.
      stripCfConnectingIp: false,
      modules: true,
      modulesRoot: bundleDir,
      scriptPath,
      // Later wins: --var over the env file over wrangler.toml and .dev.vars.
      bindings: { ...workerOptions.bindings, ...envFile, ...vars },
    },
    ...(assets ? [assetsWorker(assets)] : []),
  ],
});
// Miniflare prints "Ready on <url>" once workerd listens.
await miniflare.ready;

// wrangler.toml's only cron, "* * * * *": production runs scheduled() every minute, and so does this process.
const everyMinuteMs = 60_000;
/** What this process uses of the worker's Fetcher (its type names workers-types, which a Node program lacks). */
interface ScheduledFetcher {
  scheduled(options: { cron: string; scheduledTime: Date }): Promise<unknown>;
}
setInterval(async () => {
  try {
    const worker = (await miniflare.getWorker()) as unknown as ScheduledFetcher;
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
  } catch (error) {
    process.stderr.write(`the edge's scheduled() handler failed: ${(error as Error).message}\n`);
  }
}, everyMinuteMs);

const stop = async () => {
  await miniflare.dispose();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
