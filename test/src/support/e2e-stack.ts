/**
 * @module e2e-stack: the whole stack for one test file, as `npm start` runs it but isolated: s3rver and the edge
 * on free loopback ports with state in a temporary folder, fresh secrets, short leases, an account with credits.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTinyModelName, ensureTinyModels, tinyModelSpecs, tinyModelsRoot } from "@stochedit/gpu-runner";
import { ensureDevAccount } from "../../../scripts/local-stack/dev-account.js";
import { applyLocalMigrations, type EdgeDev, startEdgeDev } from "../../../scripts/local-stack/edge-dev.js";
import { type LocalS3, s3rverCredentials, startLocalS3 } from "../../../scripts/local-stack/local-s3.js";
import { runningProcesses } from "../../../scripts/local-stack/process-group.js";
import { type RunnerProcess, startRunnerProcess } from "../../../scripts/local-stack/runner-process.js";
import { freePort } from "./free-port.js";

export interface E2eStack {
  readonly edgeUrl: string;
  /** The edge server's process (its child is workerd). */
  readonly edgeProcessId: number;
  readonly operatorToken: string;
  readonly hmacSecret: string;
  /** Bearer token of GET /internal/metrics (the autoscaler's backlog). */
  readonly metricsToken: string;
  /** sk_live_...: its edits are charged (the account starts with 100 credits). */
  readonly apiKey: string;
  /** sk_test_... of the same account: free, run on the test model (start a runner with testModelRunnerEnv()). */
  readonly testApiKey: string;
  readonly accountId: string;
  /** The URL of an object in the stack's S3 (s3rver), which takes unsigned requests: for tests that write there. */
  objectUrl(key: string): string;
  /** Every line the edge and the runners printed, for assertions on logs and for failure reports. */
  readonly logs: string[];
  /** Starts one more runner; `env` adds RUNNER_* settings. */
  startRunner(runnerId: string, env?: Readonly<Record<string, string>>): Promise<RunnerProcess>;
  /**
   * Kills every runner started so far that is still running (a stopped one too: SIGKILL ends a SIGSTOPped
   * process). Tests call it after each test, so no runner of one test can claim the jobs of the next.
   */
  stopRunners(): Promise<void>;
  stop(): Promise<void>;
}

export interface E2eStackOptions {
  /** Vars for the worker beyond the S3 and secret ones (lease TTL, retry delays, dev flags). */
  readonly edgeVars?: Readonly<Record<string, string>>;
  /** The edge's line per request (default on; the edge benchmark turns it off). */
  readonly logRequests?: boolean;
}

export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  const directory = await mkdtemp(join(tmpdir(), "stochedit-e2e-"));
  const logs: string[] = [];
  const operatorToken = randomBytes(24).toString("base64url");
  const hmacSecret = randomBytes(32).toString("base64url");
  const metricsToken = randomBytes(32).toString("base64url");
  let s3: LocalS3 | undefined;
  let edge: EdgeDev | undefined;
  const runners: RunnerProcess[] = [];
  const stopRunners = async () => {
    for (const runner of runners.splice(0).reverse()) await runner.process.stop("SIGKILL");
  };
  const stop = async () => {
    await stopRunners();
    await edge?.process.stop("SIGTERM", 10_000);
    await s3?.close();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    // Runners use the generated tiny model (fast on 2 cores) unless the caller names a model folder.
    const modelDir = process.env.STOCHEDIT_MODEL_DIR ?? join(tinyModelsRoot, defaultTinyModelName);
    if (!process.env.STOCHEDIT_MODEL_DIR) {
      await ensureTinyModels(
        tinyModelsRoot,
        tinyModelSpecs.filter((spec) => spec.name === defaultTinyModelName),
      );
    }
    s3 = await startLocalS3({ directory: join(directory, "s3"), port: 0, bucket: "stochedit-e2e" });
    const persistTo = join(directory, "wrangler");
    await applyLocalMigrations(persistTo);
    edge = await startEdgeDev({
      port: await freePort(),
      persistTo,
      vars: {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_REGION: "us-east-1",
        S3_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
        OPERATOR_TOKEN: operatorToken,
        RUNNER_HMAC_SECRET: hmacSecret,
        METRICS_TOKEN: metricsToken,
        ...options.edgeVars,
      },
      ...(options.logRequests !== undefined && { logRequests: options.logRequests }),
      onLine: (line) => logs.push(`[edge] ${line}`),
    });
    const account = await ensureDevAccount(edge.url, operatorToken, join(directory, "account.json"));
    const edgeUrl = edge.url;
    const bucketUrl = `${s3.endpoint}/${s3.bucket}`;
    return {
      edgeUrl,
      edgeProcessId: edge.process.pid,
      operatorToken,
      hmacSecret,
      metricsToken,
      apiKey: account.apiKey,
      testApiKey: account.testApiKey,
      accountId: account.accountId,
      objectUrl: (key) => `${bucketUrl}/${key}`,
      logs,
      async startRunner(runnerId, env = {}) {
        const runner = await startRunnerProcess({
          edgeUrl,
          hmacSecret,
          runnerId,
          env: {
            STOCHEDIT_MODEL_DIR: modelDir,
            RUNNER_IDLE_BACKOFF_MIN_MS: "20",
            RUNNER_IDLE_BACKOFF_MAX_MS: "200",
            RUNNER_PROGRESS_MIN_MS: "50",
            ...env,
          },
          onLine: (line) => logs.push(`[${runnerId}] ${line}`),
        });
        runners.push(runner);
        return runner;
      },
      stopRunners,
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`the e2e stack did not start: ${(error as Error).message}\n${logs.slice(-30).join("\n")}`);
  }
}

/** A test run that ends abruptly must not leave the edge (workerd) or runners behind. */
process.once("exit", () => {
  for (const child of runningProcesses()) child.signal("SIGKILL");
});
