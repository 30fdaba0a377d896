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
    signature: headers[internalAuthHeaders.signature] ?? null,
  };
}

describe("internal request signatures", () => {
  it("accepts what it signed", async () => {
    expect(await verifyInternalRequest(secret, await signed(), now + 5)).toEqual({ ok: true });
  });

  it("rejects a changed body, path or method", async () => {
    for (const change of [
      { body: '{"runner_id":"r2","models":["m"]}' },
      { path: "/internal/jobs/x/complete" },
      { method: "GET" },
    ]) {
      expect(await verifyInternalRequest(secret, await signed(change), now)).toEqual({
        ok: false,
        reason: "signature mismatch",
      });
    }
  });

  it("rejects another secret, stale timestamps and malformed headers", async () => {
    expect((await verifyInternalRequest("other-secret", await signed(), now)).ok).toBe(false);
    expect(await verifyInternalRequest(secret, await signed({}, now - 61), now)).toMatchObject({
      reason: "timestamp outside the 60 s window",
    });
    const good = await signed();
    expect(await verifyInternalRequest(secret, { ...good, signature: "v1=zz" }, now)).toMatchObject({
      reason: "malformed signature",
    });
    expect(await verifyInternalRequest(secret, { ...good, timestamp: null }, now)).toMatchObject({
      reason: "missing signature headers",
    });
  });
});
