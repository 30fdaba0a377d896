/**
 * @module gaussian-stream: a seed's N(0, 1) draws, made ahead by a thread of their own: the same values, in the
 * same order, as GaussianRng of that seed gives.
 */
import type { Worker } from "node:worker_threads";
import { GaussianRng, type GaussianSource } from "../diffusion/gaussian-rng.js";
import { startTypeScriptWorker } from "../typescript-worker.js";
import { control, controlWords, distance, type StreamRequest } from "./ring-layout.js";

export interface StreamOptions {
  /** Values the ring holds (a power of two): how far ahead the thread may draw. */
  readonly ringValues?: number;
  /** Values the thread draws at a time (a power of two, below ringValues). */
  readonly chunkValues?: number;
  /**
   * How long a read waits for a thread that draws nothing before it draws the rest itself. A thread that started
   * draws a chunk in about a quarter of a millisecond; starting one takes up to a second on a busy machine.
   */
  readonly silenceMs?: number;
}

/**
 * Ring of 2^21 values (8 MiB): a 512x512 SDE-Drag operation's forward noise (120 levels of 16384 values) fits, so the
 * thread draws a whole operation while the image decodes, the VAE encodes and the previous operation's UNet calls run.
 */
const defaults = { ringValues: 1 << 21, chunkValues: 1 << 14, silenceMs: 10_000 } as const;

/** Noise threads not in use: a stream takes one (or starts one) and gives it back when closed. */
const idleThreads: Worker[] = [];
/** Set once a noise thread stayed silent: later streams draw on the reader's thread from the start. */
let threadsFailed = false;

/**
 * The sampler's draws cost it a copy each (drawing them is about 14 ns a value, a fifth of an SDE-Drag's own work
 * per step). Reading blocks only when the thread has fallen behind, until it has drawn enough. Close the stream when
 * the edit ends: its thread stops drawing and serves the next one.
 */
export class GaussianStream implements GaussianSource {
  readonly drawsAhead = true;
  /** The seed's generator on this thread, at the stream's start: used only once the noise thread failed. */
  private readonly own: GaussianRng;
  private readonly ring: Float32Array;
  private readonly words: Int32Array;
  private readonly thread: Worker | undefined;
  private read = 0;
  private closed = false;
  private drawsHere = false;
  private readonly silenceMs: number;

  constructor(seed: number, options: StreamOptions = {}) {
    const { ringValues, chunkValues, silenceMs } = { ...defaults, ...options };
    this.own = new GaussianRng(seed);
    this.silenceMs = silenceMs;
    const powerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
    if (!powerOfTwo(ringValues) || !powerOfTwo(chunkValues) || chunkValues >= ringValues || ringValues > 2 ** 30) {
      throw new RangeError(`ring of ${ringValues} values in chunks of ${chunkValues}: powers of two, chunk below ring`);
    }
    const request: StreamRequest = {
      seed,
      values: new SharedArrayBuffer(ringValues * Float32Array.BYTES_PER_ELEMENT),
      control: new SharedArrayBuffer(controlWords * Int32Array.BYTES_PER_ELEMENT),
      chunkValues,
    };
    this.ring = new Float32Array(request.values);
    this.words = new Int32Array(request.control);
    if (threadsFailed) {
      this.drawsHere = true;
      return;
    }
    this.thread = idleThreads.pop() ?? startNoiseThread();
    this.thread.postMessage(request);
  }

  fill(out: Float32Array): Float32Array {
    if (this.closed) throw new Error("this Gaussian stream was closed");
    const mask = this.ring.length - 1;
    let copied = 0;
    while (copied < out.length) {
      if (this.drawsHere) {
        this.own.fill(out.subarray(copied));
        return out;
      }
      const written = Atomics.load(this.words, control.written);
      const ready = distance(this.read, written);
      if (ready === 0) {
        if (Atomics.wait(this.words, control.written, written, this.silenceMs) === "timed-out") this.drawHere();
        continue;
      }
      const at = this.read & mask;
      const count = Math.min(ready, out.length - copied, this.ring.length - at);
      out.set(this.ring.subarray(at, at + count), copied);
      copied += count;
      const before = this.read;
      this.read = (this.read + count) | 0;
      Atomics.store(this.words, control.read, this.read);
      // The thread waits while the ring is full: woken each time a quarter of the ring has been read, it draws a
      // quarter at once (a wake-up per read would cost the sampler's thread its CPU time at every step).
      if (((before ^ this.read) & ~(this.ring.length / 4 - 1)) !== 0) Atomics.notify(this.words, control.read);
    }
    return out;
  }

  /** Stops the thread's drawing and gives the thread back; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopThread();
    if (this.thread && !this.drawsHere) idleThreads.push(this.thread);
  }

  /**
   * The thread drew nothing for silenceMs (it failed to start, or died): this stream goes on with a generator
   * of its own, advanced past the values already read, and no later stream waits for a thread.
   */
  private drawHere(): void {
    threadsFailed = true;
    this.stopThread();
    this.drawsHere = true;
    this.own.skip(this.read >>> 0);
  }

  private stopThread(): void {
    Atomics.store(this.words, control.stop, 1);
    Atomics.notify(this.words, control.read);
  }
}

/**
 * Starts noise threads until `count` are idle: a runner starts one per slot with its model, so that no edit waits
 * for a thread to start (a tsx worker takes 0.1-1 s) with its first draws.
 */
export function prestartNoiseThreads(count: number): void {
  while (idleThreads.length < count) idleThreads.push(startNoiseThread());
}

/** Noise threads ready for the next streams. */
export function idleNoiseThreads(): number {
  return idleThreads.length;
}

function startNoiseThread(): Worker {
  const thread = startTypeScriptWorker(new URL("./gaussian-worker.ts", import.meta.url), "stochedit-noise");
  // Idle or drawing, a noise thread never keeps the process alive: its reader does.
  thread.unref();
  thread.on("error", () => {
    const idle = idleThreads.indexOf(thread);
    if (idle >= 0) idleThreads.splice(idle, 1);
  });
  return thread;
}
