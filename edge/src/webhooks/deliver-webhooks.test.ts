import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { type WebhookDelivery, type WebhookDeliveryList, WebhookPayload } from "@stochedit/shared";
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it, vi } from "vitest";
import worker from "../index.js";
import { call, createCustomer } from "../test-support/api.js";
import { cancelWithQueue, customerWithQueuedEdit, uploadPng } from "../test-support/edits.js";
import { unavailableQueue } from "../test-support/queues.js";
import { claimEdit, jobCall, storeOutput } from "../test-support/runner.js";
import type { WebhookMessage } from "./webhook-message.js";

/** The loopback receiver of the global setup (src/test-support/webhook-receiver.ts, which runs in Node). */
const receiver = inject("webhookReceiver");

interface RecordedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A unique receiver name per test: the receiver outlives test files. */
const hookName = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

const recorded = async (name: string): Promise<RecordedWebhook[]> =>
  (await fetch(`${receiver}/recorded/${name}`)).json();

/**
 * An edit with a webhook_url, canceled while the queue is down (not through the cancel route) so that no message
 * reaches the real queue: each test hands the consumer its own batch.
 */
async function canceledEdit(label: string, webhookPath: string) {
  const { customer, accepted } = await customerWithQueuedEdit(label, `${receiver}${webhookPath}`);
  expect(await cancelWithQueue(accepted.id, unavailableQueue)).toBe(true);
  const message: WebhookMessage = {
    webhook_id: `msg_${accepted.id}_canceled`,
    edit_id: accepted.id,
    type: "edit.canceled",
  };
  return { key: customer.key, editId: accepted.id, message };
}

/**
 * Runs the worker's queue() on one message at its `attempts`-th delivery. `retryDelays` are the delays it asked for
 * (getQueueResult does not report them).
 */
async function consume(message: WebhookMessage, attempts: number) {
  const batch = createMessageBatch<WebhookMessage>("stochedit-webhooks", [
    { id: "message-1", timestamp: new Date(), attempts, body: message },
  ]);
  const retry = vi.spyOn(batch.messages[0]!, "retry");
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryDelays: retry.mock.calls.map(([options]) => options?.delaySeconds) };
}

const deliveries = async (key: string, editId: string): Promise<WebhookDelivery[]> =>
  (await call<WebhookDeliveryList>("GET", `/v1/edits/${editId}/deliveries`, { token: key })).body.data;

const secretOf = async (key: string) =>
  (await call<{ secret: string }>("GET", "/v1/account/webhook-secret", { token: key })).body.secret;

describe("the webhook consumer", () => {
  it("signs a delivery so the standardwebhooks library verifies it with the account's secret, and logs it", async () => {
    const name = hookName("signed");
    const { key, editId, message } = await canceledEdit("webhook-signed", `/hooks/${name}`);
    const result = await consume(message, 1);
    expect(result).toMatchObject({ explicitAcks: ["message-1"], retryDelays: [] });

    const [received, ...others] = await recorded(name);
    expect(others).toEqual([]);
    expect(received!.headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": message.webhook_id,
      "webhook-timestamp": expect.stringMatching(/^\d{10}$/),
    });
    const payload = WebhookPayload.parse(new Webhook(await secretOf(key)).verify(received!.body, received!.headers));
    expect(payload).toMatchObject({ type: "edit.canceled", data: { id: editId, status: "canceled", charged: 0 } });

    expect(await deliveries(key, editId)).toEqual([
      expect.objectContaining({
        webhook_id: message.webhook_id,
        type: "edit.canceled",
        url: `${receiver}/hooks/${name}`,
        attempt: 1,
        status_code: 200,
        error: null,
        outcome: "delivered",
        next_attempt_at: null,
      }),
    ]);
  });

  it("retries a non-2xx answer after the scheduled delay of that attempt (1, 2, 3 s here)", async () => {
    const name = hookName("failing");
    const { key, editId, message } = await canceledEdit("webhook-retry", `/status/503/${name}`);
    for (const [attempt, delaySeconds] of [
      [1, 1],
      [2, 2],
      [3, 3],
    ] as const) {
      const result = await consume(message, attempt);
      expect(result).toMatchObject({ retryMessages: [{ msgId: "message-1" }], retryDelays: [delaySeconds] });
      expect(result.explicitAcks).toEqual([]);
    }
    const logged = await deliveries(key, editId);
    expect(logged.map((d) => [d.attempt, d.status_code, d.outcome])).toEqual([
      [1, 503, "retrying"],
      [2, 503, "retrying"],
      [3, 503, "retrying"],
    ]);
    expect(logged[0]!.error).toBe("the receiver answered 503");
    expect(Date.parse(logged[2]!.next_attempt_at!) - Date.parse(logged[2]!.created_at)).toBe(3_000);
    // Every attempt carries the same webhook-id, so the receiver can drop duplicates.
    expect(new Set((await recorded(name)).map((r) => r.headers["webhook-id"]))).toEqual(new Set([message.webhook_id]));
  });

  it("stops when the schedule ends", async () => {
    const name = hookName("exhausted");
    const { key, editId, message } = await canceledEdit("webhook-exhausted", `/status/500/${name}`);
    const result = await consume(message, 4);
    expect(result).toMatchObject({ explicitAcks: ["message-1"], retryMessages: [], retryDelays: [] });
    expect(await deliveries(key, editId)).toEqual([
      expect.objectContaining({ attempt: 4, status_code: 500, outcome: "gave_up", next_attempt_at: null }),
    ]);
  });

  it("stops at once on 410 Gone", async () => {
    const name = hookName("gone");
    const { key, editId, message } = await canceledEdit("webhook-gone", `/status/410/${name}`);
    const result = await consume(message, 1);
    expect(result).toMatchObject({ explicitAcks: ["message-1"], retryMessages: [], retryDelays: [] });
    expect(await deliveries(key, editId)).toEqual([expect.objectContaining({ status_code: 410, outcome: "gone" })]);
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    const name = hookName("redirect");
    const { key, editId, message } = await canceledEdit("webhook-redirect", `/status/307/${name}`);
    expect((await consume(message, 1)).retryDelays).toEqual([1]);
    expect((await deliveries(key, editId))[0]!.error).toContain("redirects are not followed");
  });

  it("retries a receiver that does not answer within WEBHOOK_TIMEOUT_MS", async () => {
    const name = hookName("hanging");
    const { key, editId, message } = await canceledEdit("webhook-timeout", `/hang/${name}`);
    expect((await consume(message, 1)).retryDelays).toEqual([1]);
    expect(await deliveries(key, editId)).toEqual([
      expect.objectContaining({ status_code: null, error: "no answer within 1500 ms", outcome: "retrying" }),
    ]);
  });

  it("sends nothing to a URL the guard refuses (checked again at delivery) and logs why", async () => {
    const name = hookName("refused");
    const { key, editId, message } = await canceledEdit("webhook-refused", `/hooks/${name}`);
    // As if the URL had been accepted under other rules: it now points at a private address.
    await env.DB.prepare("UPDATE edits SET request_json = json_set(request_json, '$.webhook_url', ?) WHERE id = ?")
      .bind("https://10.0.0.7/hook", editId)
      .run();
    expect(await consume(message, 1)).toMatchObject({
      explicitAcks: ["message-1"],
      retryMessages: [],
      retryDelays: [],
    });
    expect(await deliveries(key, editId)).toEqual([
      expect.objectContaining({ outcome: "refused", status_code: null, error: expect.stringContaining("private") }),
    ]);
    expect(await recorded(name)).toEqual([]);
  });
});

describe("webhooks end to end", () => {
  it("an edit that succeeds is announced through the real queue, once, and the delivery is listed", async () => {
    const name = hookName("e2e");
    const { customer, accepted } = await customerWithQueuedEdit("webhook-e2e", `${receiver}/hooks/${name}`);
    const job = await claimEdit(accepted.id);
    await jobCall(accepted.id, "complete", await storeOutput(job));

    const logged = await vi.waitFor(
      async () => {
        const list = await deliveries(customer.key, accepted.id);
        if (list.length === 0) throw new Error("no delivery yet");
        return list;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(logged).toEqual([expect.objectContaining({ type: "edit.succeeded", attempt: 1, outcome: "delivered" })]);
    const [received] = await recorded(name);
    const payload = WebhookPayload.parse(
      new Webhook(await secretOf(customer.key)).verify(received!.body, received!.headers),
    );
    expect(payload.data).toMatchObject({ id: accepted.id, status: "succeeded", charged: accepted.price });
    expect(payload.data.output?.url).toContain(`/outputs/${accepted.id}/`);
  });

  it("refuses a submission whose webhook_url points at a private address", async () => {
    const customer = await createCustomer("webhook-ssrf");
    const image = await uploadPng(customer.key, 64, 64);
    const reply = await call<{ errors: { path: string; message: string }[] }>("POST", "/v1/edits", {
      token: customer.key,
      body: { task: "img2img", image, strength: 0.5, webhook_url: "https://169.254.169.254/latest" },
    });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toEqual([{ path: "webhook_url", message: expect.stringContaining("link-local") }]);
  });
});
