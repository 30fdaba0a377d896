/**
 * @module key-limits: each API key's limit as one isolate applies it. The isolate's own bucket decides every request
 * at once (no round trip); what it let through is reported to the key's RateLimiter object at most once a second, off
 * the request's path. When that object says the key has run out across all isolates, this isolate refuses the key
 * until the object's wait is over. So a key gets at most its limit plus what its isolates let through in the second
 * before they hear of it.
 */
import { BoundedMap } from "./bounded-map.js";
import { type Bucket, type RateDecision, takeToken, windowMs } from "./token-bucket.js";

/** How often an isolate reports a busy key's requests to its RateLimiter. */
export const reportEveryMs = 1_000;

interface KeyState {
  bucket: Bucket | undefined;
  /** Requests let through here and not yet reported. */
  unreported: number;
  reporting: boolean;
  lastReportMs: number;
  /** The key ran out across all isolates: refused here until then. */
  blockedUntilMs: number;
}

/** Reports `count` requests let through to the key's RateLimiter; its answer says whether the key may go on. */
export type ReportUsage = (count: number) => Promise<RateDecision>;

export class KeyLimits {
  readonly #keys: BoundedMap<KeyState>;

  constructor(capacity: number) {
    this.#keys = new BoundedMap(capacity);
  }

  /** The decision for one request, and the report to run in the background when one is due. */
  take(
    keyId: string,
    limit: number,
    nowMs: number,
    report: ReportUsage,
  ): { decision: RateDecision; reported?: Promise<void> } {
    const state = this.#keys.get(keyId) ?? {
      bucket: undefined,
      unreported: 0,
      reporting: false,
      lastReportMs: Number.NEGATIVE_INFINITY,
      blockedUntilMs: 0,
    };
    this.#keys.set(keyId, state);
    if (nowMs < state.blockedUntilMs) {
      const retryAfterSeconds = Math.ceil((state.blockedUntilMs - nowMs) / 1000);
      return {
        decision: { allowed: false, limit, remaining: 0, resetSeconds: windowMs / 1000, retryAfterSeconds },
      };
    }
    const { bucket, decision } = takeToken(state.bucket, limit, nowMs);
    state.bucket = bucket;
    if (decision.allowed) state.unreported++;
    if (state.reporting || state.unreported === 0 || nowMs - state.lastReportMs < reportEveryMs) return { decision };

    const count = state.unreported;
    state.unreported = 0;
    state.reporting = true;
    state.lastReportMs = nowMs;
    const reported = report(count).then(
      (global) => {
        // Counted from the report's start: the key is let go again a round trip early, never late.
        if (!global.allowed) state.blockedUntilMs = nowMs + global.retryAfterSeconds * 1000;
      },
      (error: unknown) => {
        // Reported with the next report instead; meanwhile the isolate's own bucket still limits the key.
        state.unreported += count;
        console.error(JSON.stringify({ level: "error", message: "rate limit report failed", error: String(error) }));
      },
    );
    return {
      decision,
      reported: reported.finally(() => {
        state.reporting = false;
      }),
    };
  }
}
