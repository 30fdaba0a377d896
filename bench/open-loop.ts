/**
 * @module open-loop: a fixed-rate, open-loop load generator (undici's connection pool): request i is due at
 * start + i / rate whatever the earlier ones are doing, and its latency runs from when it was due to its last body
 * byte, so a slow server is charged for the queue it causes (no coordinated omission).
 *
 * Not autocannon: its `overallRate` gives each connection a quota per second that it spends back to back at the top
 * of the second (httpClient.js: `reqsMadeThisSecond` reset by a 1 s interval), so "200/s over 50 connections" is a
 * burst of 200 requests, 50 at a time, once a second; its latency correction (`Math.ceil(1 / rate)` ms) is then 1 ms.
 */
import { Pool } from "undici";

export interface OpenLoopOptions {
  readonly origin: string;
  readonly path: string;
  readonly method: "GET" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Requests per second, evenly spaced. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Sockets the pool may open: requests beyond them wait in the pool's queue (and the wait counts). */
  readonly connections: number;
  /** A request not answered within this is counted as a timeout. */
  readonly timeoutMs?: number;
}

export interface OpenLoopResult {
  readonly requests: number;
  /** Answered requests per second over the run, from the first due time to the last answer. */
  readonly achievedRate: number;
  /** Latencies of the answered requests, ms, ascending. */
  readonly latenciesMs: readonly number[];
  readonly statuses: Readonly<Record<string, number>>;
  /** No HTTP answer, by error code (ECONNRESET, UND_ERR_HEADERS_TIMEOUT, ...). */
  readonly errorCodes: Readonly<Record<string, number>>;
  /**
   * How late the generator itself sent each request (ms after it was due), ascending: the part of a latency that is
   * the generator's own (a busy event loop, a late timer), not the server's.
   */
  readonly sendLagsMs: readonly number[];
}

/** Offers `rate` requests a second for `durationSeconds` and waits for every answer. */
export async function offerFixedRate(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const total = Math.round(options.rate * options.durationSeconds);
  const intervalMs = 1000 / options.rate;
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const sendLagsMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let lastAnswer = start;

  const send = async (dueAt: number) => {
    try {
      const response = await pool.request({
        path: options.path,
        method: options.method,
        headers: options.headers,
        ...(options.body !== undefined && { body: options.body }),
      });
      await response.body.dump();
      lastAnswer = performance.now();
      latenciesMs.push(lastAnswer - dueAt);
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }
  };

  for (let sent = 0; sent < total; ) {
    const now = performance.now();
    // Everything due by now goes out, late timers included: the schedule, not the timer, sets the rate.
    while (sent < total && start + sent * intervalMs <= now) {
      sendLagsMs.push(now - (start + sent * intervalMs));
      inFlight.push(send(start + sent * intervalMs));
      sent++;
    }
    if (sent < total) await sleep(start + sent * intervalMs - performance.now());
  }
  await Promise.all(inFlight);
  await pool.close();
  latenciesMs.sort((a, b) => a - b);
  sendLagsMs.sort((a, b) => a - b);
  return {
    requests: total,
    achievedRate: (latenciesMs.length * 1000) / (lastAnswer - start),
    latenciesMs,
    statuses,
    errorCodes,
    sendLagsMs,
  };
}

/** The value at quantile `q` (0..1) of ascending `sorted`, nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
