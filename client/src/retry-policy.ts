/**
 * @module retry-policy: when a failed call is tried again and after how long: jittered exponential backoff, or the
 * wait the server asked for with Retry-After. Pure functions of the attempt, the answer and a random number.
 */

export interface RetryOptions {
  /** Tries after the first; 0 turns retries off. */
  readonly maxRetries: number;
  /** The cap of the first backoff; it doubles with each retry. */
  readonly baseDelayMs: number;
  /** No wait is longer: a Retry-After beyond it is not waited for (the error carries it as `retryAfterMs`). */
  readonly maxDelayMs: number;
}

export const defaultRetryOptions: RetryOptions = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Which answers are worth another try. 429: the rate limiter refused before anything ran, so any call may repeat.
 * 502, 503, 504 and no answer at all: the call may or may not have taken effect, so only a call that is safe to
 * repeat (a read, a cancel, a submission carrying its Idempotency-Key) is tried again.
 */
export function shouldRetry(failure: { status: number } | "network", idempotent: boolean): boolean {
  if (failure === "network") return idempotent;
  if (failure.status === 429) return true;
  return idempotent && (failure.status === 502 || failure.status === 503 || failure.status === 504);
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month ("Thu, 01 Jan 2026 00:00:12 GMT"); "-3" would parse as a year.
  const dateMs = /^[A-Za-z]{3}, /.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

/**
 * The wait before retry number `retry` (0 for the first), or undefined when the server asks for longer than
 * `maxDelayMs`. Without Retry-After: "full jitter", uniform in [0, min(maxDelayMs, baseDelayMs * 2^retry)], so
 * clients that failed together do not come back together. With it: the asked wait plus up to 10% more, for the same
 * reason.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  options: RetryOptions,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > options.maxDelayMs) return undefined;
    return Math.min(options.maxDelayMs, Math.round(retryAfterMs * (1 + 0.1 * random())));
  }
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.round(cap * random());
}

/** What an aborted call rejects with: the signal's reason, or an AbortError where the runtime gives none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error("the operation was aborted"), { name: "AbortError" });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      if (signal) reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
