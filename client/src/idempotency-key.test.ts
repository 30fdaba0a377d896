import { afterEach, describe, expect, it, vi } from "vitest";
import { newIdempotencyKey } from "./idempotency-key.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("newIdempotencyKey", () => {
  it("is 128 random bits in hex, different each time, also without WebCrypto (bare React Native)", () => {
    const keys = new Set(Array.from({ length: 1000 }, newIdempotencyKey));
    vi.stubGlobal("crypto", undefined);
    for (let i = 0; i < 1000; i++) keys.add(newIdempotencyKey());
    expect(keys.size).toBe(2000);
    for (const key of keys) expect(key).toMatch(/^idem_[0-9a-f]{32}$/);
  });
});
