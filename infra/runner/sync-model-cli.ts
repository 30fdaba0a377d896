/** @module sync-model-cli: `node --import tsx infra/runner/sync-model-cli.ts`: the model sync as the entrypoint runs it. */
import { parseSyncEnv, syncModel } from "./sync-model.js";

const log = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);

async function main(): Promise<number> {
  let config: ReturnType<typeof parseSyncEnv>;
  try {
    config = parseSyncEnv(process.env);
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const startedMs = Date.now();
  log("model sync started", { from: `s3://${config.source.bucket}/${config.source.prefix}`, to: config.targetDir });
  const report = await syncModel(config.source, config.targetDir, { log: (line) => log(line) });
  log("model sync done", { ...report, seconds: (Date.now() - startedMs) / 1000 });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`model sync failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
