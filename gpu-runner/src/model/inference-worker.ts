/** @module inference-worker: runs inside a worker thread; its SessionHost owns the ONNX Runtime sessions. */
import { parentPort } from "node:worker_threads";
import { SessionHost } from "./session-host.js";
import type { WorkerRequest, WorkerResponse } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("inference-worker must run in a worker thread");
const host = new SessionHost();

// The host takes requests one at a time, in order; answers go back as each one ends.
port.on("message", (request: WorkerRequest) => {
  void answer(request)
    .then((response) => {
      // Outputs are fresh arrays: hand their memory over instead of copying it.
      const buffers = response.kind === "ran" ? Object.values(response.outputs).map((o) => o.data.buffer) : [];
      port.postMessage(response, [...new Set(buffers)] as ArrayBuffer[]);
    })
    .catch((error: unknown) => {
      port.postMessage({ kind: "failed", id: request.id, message: String(error) } satisfies WorkerResponse);
    });
});

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  try {
    if (request.kind === "load") {
      return { kind: "loaded", id: request.id, ...(await host.load(request.session, request.path, request.options)) };
    }
    return { kind: "ran", id: request.id, ...(await host.run(request.session, request.feeds, request.outputsInto)) };
  } catch (error) {
    return { kind: "failed", id: request.id, message: error instanceof Error ? error.message : String(error) };
  }
}
