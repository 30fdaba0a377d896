/** @module open-loop-worker: the load generator's thread: one `offerFixedRate` on its workerData, the result posted back. */
import { parentPort, workerData } from "node:worker_threads";
import { type OpenLoopOptions, offerFixedRate } from "./open-loop.js";

const port = parentPort;
if (!port) throw new Error("open-loop-worker must run in a worker thread");
port.postMessage(await offerFixedRate(workerData as OpenLoopOptions));
