import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryDelayMs, shouldRetry, sleep } from "./retry-policy.js";

const options = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

describe("shouldRetry", () => {
  it("retries 429 for every call, 5xx gateway answers and lost answers only for calls safe to repeat", () => {
    expect(shouldRetry({ status: 429 }, false)).toBe(true);
    for (const status of [502, 503, 504]) {
      expect(shouldRetry({ status }, true)).toBe(true);
      expect(shouldRetry({ status }, false)).toBe(false);
    }
    expect(shouldRetry("network", true)).toBe(true);
    expect(shouldRetry("network", false)).toBe(false);
    for (const status of [400, 401, 402, 404, 409, 422, 500]) expect(shouldRetry({ status }, true)).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("reads delta-seconds and HTTP dates, and nothing else", () => {
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:12 GMT", now)).toBe(12_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
  });
});

describe("retryDelayMs", () => {
  it("draws uniformly below a cap that doubles per retry up to the maximum (full jitter)", () => {
    expect(retryDelayMs(0, undefined, options, () => 0)).toBe(0);
    expect(retryDelayMs(0, undefined, options, () => 0.999999)).toBe(500);
    expect(retryDelayMs(3, undefined, options, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(12, undefined, options, () => 0.999999)).toBe(30_000);
  });

  it("waits what Retry-After asks plus up to a tenth more, and not at all when it asks too much", () => {
    expect(retryDelayMs(0, 2_000, options, () => 0)).toBe(2_000);
    expect(retryDelayMs(5, 2_000, options, () => 1)).toBe(2_200);
    expect(retryDelayMs(0, 30_000, options, () => 1)).toBe(30_000);
    expect(retryDelayMs(0, 31_000, options, () => 0)).toBeUndefined();
  });
});

describe("sleep", () => {
  it("rejects with the signal's reason, or an AbortError where the runtime's AbortSignal has none", async () => {
    const controller = new AbortController();
    controller.abort(new Error("left the screen"));
    await expect(sleep(10_000, controller.signal)).rejects.toThrow("left the screen");
    // React Native's AbortController polyfill sets no reason.
    const bare = { aborted: true, reason: undefined } as unknown as AbortSignal;
    await expect(sleep(10_000, bare)).rejects.toMatchObject({ name: "AbortError" });
  });
});
