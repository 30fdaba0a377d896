import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
// The client's own module, by path: this test runs it in workerd, the Workers runtime an app's backend may use.
import { verifyWebhook } from "../../../client/src/verify-webhook.js";
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

  it("verify with @stochedit/client's verifyWebhook, run in workerd, which refuses them once the body changes", async () => {
    const id = "ed_Q2w9Xk4LmN7pR1tYv8Zb";
    const edit = {
      id,
      task: "img2img",
      sampler: "sde",
      status: "succeeded",
      progress: { step: 5, total: 5 },
      price: 10_000,
      charged: 10_000,
      seed: 1,
      model: "stochedit-mini",
      attempts: 1,
      livemode: true,
      previews_ready: 0,
      created_at: "2026-01-01T00:00:00.000Z",
      started_at: "2026-01-01T00:00:01.000Z",
      finished_at: "2026-01-01T00:00:02.000Z",
      parent_id: null,
      retention_seconds: 604_800,
      purge_at: "2026-01-08T00:00:02.000Z",
      purged_at: null,
      links: {
        self: `/v1/edits/${id}`,
        cancel: `/v1/edits/${id}/cancel`,
        events: `/v1/edits/${id}/events`,
        previews: `/v1/edits/${id}/previews`,
        output: `/v1/edits/${id}/output`,
      },
    };
    const timestamp = "2026-01-01T00:00:02.000Z";
    const body = JSON.stringify({ type: "edit.succeeded", timestamp, livemode: true, data: edit });
    const [current, retired] = [newWebhookSecret(), newWebhookSecret()];
    const signed = { ...message, body };
    const headers = headersOf(await webhookSignatureHeader([current, retired], signed));
    expect(await verifyWebhook(body, new Headers(headers), current)).toMatchObject({ data: { id } });
    expect(await verifyWebhook(body, headers, retired)).toMatchObject({ type: "edit.succeeded" });
    await expect(verifyWebhook(body.replace("sde", "ode"), headers, current)).rejects.toThrow("no webhook-signature");
  });
});
