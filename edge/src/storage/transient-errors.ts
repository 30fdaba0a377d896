/**
 * @module transient-errors: which storage errors (D1, Durable Objects, S3) may pass if the same call is made again,
 * and a bounded retry for calls that are safe to repeat.
 */

/**
 * D1's own list of errors worth a retry (developers.cloudflare.com/d1/best-practices/retry-queries), the words the
 * runtime uses when a connection drops (a fetch to S3, a call to an object), and an overloaded D1 or object.
 */
const transientMessages = [
  /Network connection lost/i,
  /storage caused object to be reset/i,
  /reset because its code was updated/i,
  /exceeded timeout/i,
  /overloaded/i,
];

/** Thrown for an answer from the object store that says to come back (5xx, 429); `retryable` like the runtime's. */
export class StorageUnavailableError extends Error {
  readonly retryable = true;
  override readonly name = "StorageUnavailableError";
}

interface RuntimeErrorFlags {
  /** Set by the runtime on Durable Object errors after which the same call may succeed. */
  retryable?: unknown;
  /** Set with `retryable` when the object is overloaded: more calls now would make it worse. */
  overloaded?: unknown;
}

const flags = (error: unknown): RuntimeErrorFlags =>
  typeof error === "object" && error !== null ? (error as RuntimeErrorFlags) : {};

/** The storage is briefly unavailable: the request may succeed later (a 503 to the caller, not a 500). */
export function isTransient(error: unknown): boolean {
  const { retryable, overloaded } = flags(error);
  return retryable === true || overloaded === true || transientMessages.some((pattern) => pattern.test(String(error)));
}

/** Tries at most this often in all; the waits between tries are 25 ms, then 100 ms (with up to 50% jitter). */
export const maxTries = 3;
const firstWaitMs = 25;

/**
 * Runs `call` again after a transient error, up to `maxTries` times in all, but never on an overloaded object (it
 * needs fewer calls, not more). Only for calls that are safe to repeat: reads, and writes whose second run changes
 * nothing (they match on a state the first run has left). The last error is thrown as it came.
 */
export async function retryTransient<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= maxTries || !isTransient(error) || flags(error).overloaded === true) throw error;
      const waitMs = firstWaitMs * 4 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, waitMs * (1 + Math.random() / 2)));
    }
  }
}
