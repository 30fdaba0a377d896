/** @module gaussian-worker: runs inside a worker thread; writes a seed's Gaussian stream ahead into a shared ring. */
import { parentPort } from "node:worker_threads";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { control, distance, type StreamRequest } from "./ring-layout.js";

const port = parentPort;
if (!port) throw new Error("gaussian-worker must run in a worker thread");

// One stream at a time: the loop holds this thread until the reader stops it; the next request waits its turn.
port.on("message", (request: StreamRequest) => writeStream(request));

function writeStream({ seed, values, control: controlBuffer, chunkValues }: StreamRequest): void {
  const rng = new GaussianRng(seed);
  const ring = new Float32Array(values);
  const words = new Int32Array(controlBuffer);
  const mask = ring.length - 1;
  let written = 0;
  while (Atomics.load(words, control.stop) === 0) {
    const read = Atomics.load(words, control.read);
    if (distance(read, written) > ring.length - chunkValues) {
      // Full: wait until the reader has taken a quarter of the ring (it wakes this thread then), or stops.
      Atomics.wait(words, control.read, read);
      continue;
    }
    const at = written & mask;
    rng.fill(ring.subarray(at, at + chunkValues));
    written = (written + chunkValues) | 0;
    Atomics.store(words, control.written, written);
    Atomics.notify(words, control.written);
  }
}
