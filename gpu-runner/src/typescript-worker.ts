/** @module typescript-worker: starts a worker thread on a TypeScript module (the inference and noise workers). */
import { Worker } from "node:worker_threads";

/**
 * Starts the worker through tsx's loader: the worker is TypeScript, and Node 20 does not pass the parent's module
 * hooks on to worker threads.
 */
export function startTypeScriptWorker(entry: URL, name: string): Worker {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const href = JSON.stringify(entry.href);
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${href}, ${href}))`;
  return new Worker(bootstrap, { eval: true, name });
}
