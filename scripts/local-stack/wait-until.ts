/** @module wait-until: polls a condition until it holds, a deadline passes, or a watched process exits. */
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** A process whose exit makes waiting pointless (it will never become ready). */
  readonly exited?: Promise<unknown>;
}

/** Resolves with the first non-undefined value of `probe`; throws naming `what` when the deadline passes. */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let exitCode: unknown;
  let hasExited = false;
  void options.exited?.then((code) => {
    hasExited = true;
    exitCode = code;
  });
  let lastError = "";
  while (Date.now() < deadline) {
    if (hasExited) {
      throw new Error(`${options.what}: the process exited (${String(exitCode)}) before it was ready${lastError}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = ` (last error: ${(error as Error).message})`;
    }
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(`${options.what}: not ready within ${options.timeoutMs} ms${lastError}`);
}
