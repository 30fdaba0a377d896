/** @module ring-layout: the shared ring a noise thread writes a seed's draws into and the edit reads them from. */

/** Indices into the ring's control words (an Int32Array over a SharedArrayBuffer). */
export const control = {
  /** Values written so far (mod 2^32), stored after the values themselves. */
  written: 0,
  /** Values read so far (mod 2^32): the writer may reuse the slots below it. */
  read: 1,
  /** Set to 1 when the reader is done: the writer stops. */
  stop: 2,
} as const;
export const controlWords = 3;

/** What a noise thread is asked to do: write `seed`'s stream into `values`, a chunk at a time, until stopped. */
export interface StreamRequest {
  readonly seed: number;
  /** Float32 values; their count is a power of two and a multiple of chunkValues. */
  readonly values: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly chunkValues: number;
}

/** How many values lie between two counters (both mod 2^32). */
export function distance(from: number, to: number): number {
  return (to - from) >>> 0;
}
