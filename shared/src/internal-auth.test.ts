import { describe, expect, it } from "vitest";
import { internalAuthHeaders, signInternalRequest, verifyInternalRequest } from "./internal-auth.js";

const secret = "test-runner-secret-not-used-anywhere";
const request = { method: "POST", path: "/internal/claim", body: '{"runner_id":"r1","models":["m"]}' };
const now = 1_790_000_000;

async function signed(overrides: Partial<typeof request> = {}, at = now) {
  const headers = await signInternalRequest(secret, request, at);
  return {
    ...request,
    ...overrides,
    timestamp: headers[internalAuthHeaders.timestamp] ?? null,
    nonce: headers[internalAuthHeaders.nonce] ?? null,
    signature: headers[internalAuthHeaders.signature] ?? null,
  };
}

describe("internal request signatures", () => {
  it("accepts what it signed, naming the nonce and how long it must be remembered", async () => {
    const good = await signed();
    expect(good.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(await verifyInternalRequest(secret, good, now + 5)).toEqual({
      ok: true,
      nonce: good.nonce,
      staleAtMs: (now + 61) * 1000,
    });
  });

  it("accepts the last second of the window, which the stale time lies beyond", async () => {
    const good = await signed();
    const verdict = await verifyInternalRequest(secret, good, now + 60);
    expect(verdict).toMatchObject({ ok: true, staleAtMs: (now + 61) * 1000 });
    expect((await verifyInternalRequest(secret, good, now + 61)).ok).toBe(false);
  });

  it("draws a new nonce for every request", async () => {
    const nonces = new Set(await Promise.all([1, 2, 3, 4].map(async () => (await signed()).nonce)));
    expect(nonces.size).toBe(4);
  });

  it("rejects a changed body, path, method or nonce", async () => {
    const good = await signed();
    for (const change of [
      { body: '{"runner_id":"r2","models":["m"]}' },
      { path: "/internal/jobs/x/complete" },
      { method: "GET" },
      { nonce: "0".repeat(32) },
    ]) {
      expect(await verifyInternalRequest(secret, { ...good, ...change }, now)).toEqual({
        ok: false,
        reason: "signature mismatch",
      });
    }
  });

  it("rejects another secret, stale timestamps, old v1 signatures and malformed headers", async () => {
    expect((await verifyInternalRequest("other-secret", await signed(), now)).ok).toBe(false);
    expect(await verifyInternalRequest(secret, await signed({}, now - 61), now)).toMatchObject({
      reason: "timestamp outside the 60 s window",
    });
    const good = await signed();
    const refusals: [Partial<typeof good>, string][] = [
      [{ signature: "v2=zz" }, "malformed signature"],
      [{ signature: `v1=${"ab".repeat(32)}` }, "v1 signatures carry no nonce"],
      [{ timestamp: null }, "missing signature headers"],
      [{ nonce: null }, "missing x-stochedit-nonce"],
      [{ nonce: "not-hex-and-too-short" }, "malformed nonce"],
    ];
    for (const [change, reason] of refusals) {
      expect(await verifyInternalRequest(secret, { ...good, ...change }, now)).toMatchObject({
        ok: false,
        reason: expect.stringContaining(reason),
      });
    }
  });
});
