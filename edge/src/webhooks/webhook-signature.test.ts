import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, webhookSignatureHeader } from "./webhook-signature.js";

const message = { id: "msg_ed_test_succeeded", timestampSeconds: Math.floor(Date.now() / 1000), body: '{"a":1}' };
const headersOf = (signature: string) => ({
  "webhook-id": message.id,
  "webhook-timestamp": String(message.timestampSeconds),
  "webhook-signature": signature,
});

describe("Standard Webhooks signatures", () => {
  it("makes whsec_ secrets of 32 random bytes", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("verify with the standardwebhooks library (an independent implementation)", async () => {
    const secret = newWebhookSecret();
    const header = await webhookSignatureHeader([secret], message);
    expect(header).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(message.body, headersOf(header))).toEqual({ a: 1 });
  });

  it("fail to verify with another secret or a changed body", async () => {
    const header = await webhookSignatureHeader([newWebhookSecret()], message);
    expect(() => new Webhook(newWebhookSecret()).verify(message.body, headersOf(header))).toThrow();
    const secret = newWebhookSecret();
    const valid = await webhookSignatureHeader([secret], message);
    expect(() => new Webhook(secret).verify('{"a":2}', headersOf(valid))).toThrow();
  });

  it("carry one signature per secret, so both sides of a rotation verify", async () => {
    const [current, retired] = [newWebhookSecret(), newWebhookSecret()];
    const header = await webhookSignatureHeader([current, retired], message);
    expect(header.split(" ")).toHaveLength(2);
    expect(new Webhook(current).verify(message.body, headersOf(header))).toEqual({ a: 1 });
    expect(new Webhook(retired).verify(message.body, headersOf(header))).toEqual({ a: 1 });
  });
});
