/** @module backoff: how long an idle or failing claim loop waits before it asks again (capped, jittered). */

export interface BackoffRange {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The wait after `misses` answers in a row without a job (0 = the first): the cap doubles from `minMs` up to
 * `maxMs`, and the wait is drawn uniformly between `minMs` and the cap ("full jitter", floored at `minMs`), so
 * a fleet of idle runners does not poll the edge in step.
 */
export function backoffDelayMs(misses: number, range: BackoffRange, random: () => number = Math.random): number {
  const capMs = Math.min(range.maxMs, range.minMs * 2 ** Math.min(misses, 30));
  return Math.round(range.minMs + random() * (capMs - range.minMs));
}
