/**
 * @module open-loop-thread: `offerFixedRate` in a worker thread of its own, so that what else the bench process
 * runs (s3rver answering the edge's storage calls) neither delays the generator's sends nor its clock readings.
 */
import { Worker } from "node:worker_threads";
import type { OpenLoopOptions, OpenLoopResult } from "./open-loop.js";

/** Runs one fixed-rate offer on a new thread (through tsx's loader: Node 20 does not pass it to workers). */
export function offerFixedRateOnThread(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./open-loop-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  const worker = new Worker(bootstrap, { eval: true, workerData: options, name: "open-loop" });
  return new Promise((resolve, reject) => {
    worker.once("message", (result: OpenLoopResult) => resolve(result));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the load generator's thread exited with code ${code}`)));
  });
}
