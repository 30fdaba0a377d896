/**
 * @module edge: `npm run bench:edge`: the local stack's edge (workerd via Miniflare, s3rver) under fixed offered rates
 * (open-loop.ts: evenly spaced requests) on its hot routes; p50/p99 latency, achieved rate, errors and workerd's CPU time per request to
 * bench/results/edge.{json,md}.
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { AccountView, EditAccepted, Quote, UploadResponse } from "@stochedit/shared";
import sharp from "sharp";
import type { z } from "zod";
import { startE2eStack } from "../test/src/support/e2e-stack.js";
import { quantile } from "./open-loop.js";
import { offerFixedRateOnThread } from "./open-loop-thread.js";

const resultsDir = new URL("./results/", import.meta.url);
/** Offered rates (requests per second), each held for `durationSeconds` per route. */
const rates = (process.env.BENCH_RATES ?? "100,200").split(",").map(Number);
/** 20 s: at 200/s a p99 over 4000 requests, which one stall of the runtime's collector moves less than over 2000. */
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 20);
/**
 * Idle seconds before each route, so that one route's aftermath (the submission route at 200/s overloads the stack and
 * leaves V8's heaps grown and full of garbage, collected under the next route's load) is not charged to the next.
 */
const settleSeconds = Number(process.env.BENCH_SETTLE_S ?? 15);
/**
 * Seconds each route is offered at its rate just before its measured window, not counted: the route's code is
 * compiled hot, connection pools are open and heaps have grown to their working size, as in a worker that has been
 * serving for a while.
 */
const warmupSeconds = Number(process.env.BENCH_WARMUP_S ?? 3);
/** Sockets the load generator may open: enough that a slow answer does not hold back the next due request. */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Only the routes whose name matches (e.g. BENCH_ROUTES=quote); all by default. */
const routeFilter = new RegExp(process.env.BENCH_ROUTES ?? "", "i");
/** The target of issue 18: authenticated GET and quote at 200/s with p99 <= 50 ms on 2 cores. */
const targetP99Ms = 50;

interface RouteRun {
  route: string;
  offeredRate: number;
  achievedRate: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
  /** Requests with no HTTP answer at all (connection errors, timeouts). */
  errors: number;
  /** The errors by code (ECONNRESET, ...). */
  errorCodes: Record<string, number>;
  /** The generator's own lateness in sending, p99 (ms): a latency this large is the generator's, not the edge's. */
  sendLagP99Ms: number;
  /**
   * CPU time workerd spent per request (user + system, from /proc): what the route costs whatever else the machine
   * runs, unlike the latencies. Null where /proc is not there.
   */
  workerdCpuMsPerRequest: number | null;
}

const say = (text: string) => process.stdout.write(`[bench:edge] ${text}\n`);

const stack = await startE2eStack({
  // The bench offers thousands of requests a minute from one key and one address: neither limit may answer them.
  edgeVars: { RATE_LIMIT_PER_MINUTE: "10000000", IP_RATE_LIMIT_PER_MINUTE: "10000000" },
  logRequests: false,
});
const workerdPid = childProcessId(stack.edgeProcessId, "workerd");
say(`edge on ${stack.edgeUrl}`);

try {
  const auth = { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" };
  const call = async <T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.edgeUrl}${path}`, {
      method,
      headers: path.startsWith("/admin") ? { ...auth, authorization: `Bearer ${stack.operatorToken}` } : auth,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer: unknown = await response.json();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return schema.parse(answer);
  };

  const png = await sharp({ create: { width: 512, height: 512, channels: 3, background: "#7a8" } })
    .png()
    .toBuffer();
  const upload = await call(UploadResponse, "POST", "/v1/uploads", {
    content_type: "image/png",
    content_length: png.length,
  });
  const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: png });
  if (!put.ok) throw new Error(`the upload PUT answered ${put.status}`);
  const editRequest = { task: "img2img", image: upload.upload_id, strength: 0.5, steps: 10 };
  const { price } = await call(Quote, "POST", "/v1/quote", editRequest);
  // Every submission holds its price: enough credits for all of them, twice over.
  const submissions = rates.reduce((sum, rate) => sum + rate * (warmupSeconds + durationSeconds), 0);
  await call(AccountView, "POST", `/admin/accounts/${stack.accountId}/credits`, {
    amount: Math.min(1_000_000_000_000, 2 * price * submissions),
    note: "bench:edge",
  });
  const edit = await call(EditAccepted, "POST", "/v1/edits", editRequest);

  const routes: { route: string; method: "GET" | "POST"; path: string; body?: string }[] = [
    { route: "GET /v1/account", method: "GET", path: "/v1/account" },
    { route: "POST /v1/quote", method: "POST", path: "/v1/quote", body: JSON.stringify(editRequest) },
    { route: "POST /v1/edits", method: "POST", path: "/v1/edits", body: JSON.stringify(editRequest) },
    { route: "GET /v1/edits/{id}", method: "GET", path: `/v1/edits/${edit.id}` },
    // No storage and no auth: what the runtime and the router cost on their own.
    { route: "GET /unknown (404)", method: "GET", path: "/unknown" },
  ];

  const runs: RouteRun[] = [];
  for (const rate of rates) {
    for (const route of routes.filter((r) => routeFilter.test(r.route))) {
      await sleep(settleSeconds * 1000);
      const offer = {
        origin: stack.edgeUrl,
        path: route.path,
        method: route.method,
        headers: auth,
        ...(route.body !== undefined && { body: route.body }),
        rate,
        connections,
      };
      if (warmupSeconds > 0) await offerFixedRateOnThread({ ...offer, durationSeconds: warmupSeconds });
      const cpuBefore = cpuMs(workerdPid);
      const result = await offerFixedRateOnThread({ ...offer, durationSeconds });
      const run: RouteRun = {
        route: route.route,
        offeredRate: rate,
        achievedRate: round(result.achievedRate),
        requests: result.requests,
        p50Ms: round(quantile(result.latenciesMs, 0.5)),
        p90Ms: round(quantile(result.latenciesMs, 0.9)),
        p99Ms: round(quantile(result.latenciesMs, 0.99)),
        maxMs: round(quantile(result.latenciesMs, 1)),
        statuses: result.statuses,
        errors: Object.values(result.errorCodes).reduce((sum, count) => sum + count, 0),
        errorCodes: result.errorCodes,
        sendLagP99Ms: round(quantile(result.sendLagsMs, 0.99)),
        workerdCpuMsPerRequest: null,
      };
      const cpuAfter = cpuMs(workerdPid);
      if (cpuBefore !== null && cpuAfter !== null && run.requests > 0) {
        run.workerdCpuMsPerRequest = round((cpuAfter - cpuBefore) / run.requests);
      }
      runs.push(run);
      say(
        `${run.route} at ${rate}/s: ${run.achievedRate}/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
          `send lag p99 ${run.sendLagP99Ms} ms, ` +
          `statuses ${JSON.stringify(run.statuses)}, errors ${JSON.stringify(run.errorCodes)}, workerd ${run.workerdCpuMsPerRequest} ms CPU each`,
      );
    }
  }

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", loadavg1m: round(loadavg()[0]!) };
  const report = {
    date: new Date().toISOString(),
    machine,
    // Each run names its offered rate.
    settings: { durationSeconds, warmupSeconds, settleSeconds, connections, targetP99Ms },
    runs,
  };
  await mkdir(resultsDir, { recursive: true });
  await writeFile(new URL("edge.json", resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(new URL("edge.md", resultsDir), markdown(report));
  say(`wrote bench/results/edge.json and edge.md`);
} finally {
  const errors = stack.logs.filter((line) => /error/i.test(line));
  if (errors.length > 0) say(`the edge logged ${errors.length} error lines, the last: ${errors.at(-1)}`);
  await stack.stop();
}

function markdown(report: {
  date: string;
  machine: { cpus: number; cpuModel: string; loadavg1m: number };
  settings: { durationSeconds: number; warmupSeconds: number; settleSeconds: number; connections: number };
  runs: RouteRun[];
}): string {
  const rows = report.runs.map((run) => {
    const failed = Object.entries(run.statuses)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, count]) => sum + count, 0);
    return (
      `| ${run.route} | ${run.offeredRate} | ${run.achievedRate} | ${run.p50Ms} | ${run.p99Ms} | ${run.maxMs} | ` +
      `${Object.entries(run.statuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(", ")} | ${failed} | ${run.errors} | ${run.sendLagP99Ms} | ${run.workerdCpuMsPerRequest ?? "-"} |`
    );
  });
  return `# Edge benchmark (\`npm run bench:edge\`)

${report.date}; ${report.machine.cpus} cores (${report.machine.cpuModel}), load average ${report.machine.loadavg1m} at the
end. The edge runs on workerd (Miniflare, as \`npm start\` runs it) with s3rver, and \`bench/open-loop.ts\` offers
each rate for ${report.settings.durationSeconds} s as evenly spaced requests (open loop, up to
${report.settings.connections} connections) from a thread of its own, all on the same machine, after ${report.settings.settleSeconds} s
with the stack idle (\`BENCH_SETTLE_S\`), so that one route's garbage is not collected during the next, and
${report.settings.warmupSeconds} s of the same load not counted (\`BENCH_WARMUP_S\`). A latency runs from when
the request was due to its last byte, so queueing counts; "send lag" is how late the generator itself sent. Latencies depend on what else the machine runs (the load average above); the CPU
time workerd spends per request does not: a route costing c ms needs c/5 of a core at 200/s.

Target (issue 18): authenticated GET and quote at 200/s with p99 <= ${targetP99Ms} ms.
${verdicts(report.runs)}

| route | offered /s | achieved /s | p50 ms | p99 ms | max ms | statuses | >= 500 | no answer | send lag p99 ms | workerd CPU ms/request |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
}

/** Pass or fail of the target for each run at 200/s of an authenticated GET or a quote. */
function verdicts(runs: readonly RouteRun[]): string {
  return runs
    .filter(
      (run) =>
        run.offeredRate === 200 && /^(GET \/v1\/account|POST \/v1\/quote|GET \/v1\/edits\/\{id\})$/.test(run.route),
    )
    .map((run) => {
      const pass = run.achievedRate >= 0.98 * run.offeredRate && run.p99Ms <= targetP99Ms && run.errors === 0;
      return `- ${run.route}: ${run.achievedRate}/s, p99 ${run.p99Ms} ms: **${pass ? "pass" : "fail"}**`;
    })
    .join("\n");
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The process id of `parent`'s child named `name` (wrangler's edge server runs workerd as its child), via /proc. */
function childProcessId(parent: number, name: string): number | null {
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8").trim();
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat) ?? [];
      if (comm === name && Number(rest?.split(" ")[1]) === parent) return Number(entry);
    }
  } catch {
    // No /proc (not Linux): no CPU figures.
  }
  return null;
}

/** User + system CPU time of a process in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
