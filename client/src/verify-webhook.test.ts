import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "./errors.js";
import { editOf } from "./testing/fake-api.js";
import { verifyWebhook } from "./verify-webhook.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const rotated = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const nowMs = Date.parse("2026-03-01T12:00:00Z");
const id = "msg_ed_Q2w9Xk4LmN7pR1tYv8Zb_succeeded";
const body = JSON.stringify({
  type: "edit.succeeded",
  timestamp: "2026-03-01T12:00:00.000Z",
  livemode: true,
  data: editOf(),
});

/** Headers as the edge sends them, signed by the reference implementation (the standardwebhooks package). */
function signed(secrets: string[], timestampMs = nowMs, payload = body) {
  const at = new Date(timestampMs);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestampMs / 1000)),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(id, at, payload)).join(" "),
  };
}

describe("verifyWebhook", () => {
  it("accepts what the reference implementation signs and returns the payload checked by the schema", async () => {
    const payload = await verifyWebhook(body, signed([secret]), secret, { nowMs });
    expect(payload).toEqual(JSON.parse(body));
    // The raw body as bytes, and headers as a fetch Headers, work alike.
    const bytes = new TextEncoder().encode(body);
    expect(await verifyWebhook(bytes, new Headers(signed([secret])), secret, { nowMs })).toEqual(payload);
  });

  it("verifies across a key rotation: either secret alone, or both held while switching", async () => {
    // For 24 hours after a rotation the API signs with the new and the old secret.
    const headers = signed([rotated, secret]);
    await expect(verifyWebhook(body, headers, secret, { nowMs })).resolves.toBeDefined();
    await expect(verifyWebhook(body, headers, rotated, { nowMs })).resolves.toBeDefined();
    await expect(verifyWebhook(body, signed([rotated]), [rotated, secret], { nowMs })).resolves.toBeDefined();
    await expect(verifyWebhook(body, signed([rotated]), secret, { nowMs })).rejects.toThrow("no webhook-signature");
  });

  it("refuses a changed body, another id, a forged signature and missing headers", async () => {
    const headers = signed([secret]);
    const refused = (payload: string, h: Record<string, string>) =>
      expect(verifyWebhook(payload, h, secret, { nowMs })).rejects.toBeInstanceOf(WebhookVerificationError);
    await refused(body.replace("succeeded", "failed"), headers);
    await refused(body, { ...headers, "webhook-id": "msg_other" });
    await refused(body, { ...headers, "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" });
    await refused(body, { ...headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,") });
    const { "webhook-timestamp": _, ...noTimestamp } = headers;
    await refused(body, noTimestamp);
  });

  it("refuses a delivery older or newer than the tolerance (a replay), and accepts one inside it", async () => {
    await expect(verifyWebhook(body, signed([secret], nowMs - 301_000), secret, { nowMs })).rejects.toThrow("too old");
    await expect(verifyWebhook(body, signed([secret], nowMs + 301_000), secret, { nowMs })).rejects.toThrow("future");
    await expect(verifyWebhook(body, signed([secret], nowMs - 299_000), secret, { nowMs })).resolves.toBeDefined();
    const tight = { nowMs, toleranceSeconds: 10 };
    await expect(verifyWebhook(body, signed([secret], nowMs - 11_000), secret, tight)).rejects.toThrow("too old");
  });

  it("refuses a correctly signed body that is not a webhook payload", async () => {
    const other = JSON.stringify({ hello: "world" });
    await expect(verifyWebhook(other, signed([secret], nowMs, other), secret, { nowMs })).rejects.toThrow(
      "not a webhook payload",
    );
  });
});
