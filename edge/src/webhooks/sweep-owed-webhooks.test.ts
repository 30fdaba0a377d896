import { createScheduledController, env } from "cloudflare:test";
import { type WebhookDelivery, type WebhookDeliveryList, WebhookPayload } from "@stochedit/shared";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, inject, it, vi } from "vitest";
import worker from "../index.js";
import { call } from "../test-support/api.js";
import { cancelWithQueue, customerWithQueuedEdit } from "../test-support/edits.js";
import { envWithWebhookQueue, owedWebhooks, recordingQueue, unavailableQueue } from "../test-support/queues.js";
import { owedWebhookGraceMs, sweepOwedWebhooks } from "./sweep-owed-webhooks.js";

const receiver = inject("webhookReceiver");

interface RecordedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const recorded = async (name: string): Promise<RecordedWebhook[]> =>
  (await fetch(`${receiver}/recorded/${name}`)).json();

const deliveries = async (key: string, editId: string): Promise<WebhookDelivery[]> =>
  (await call<WebhookDeliveryList>("GET", `/v1/edits/${editId}/deliveries`, { token: key })).body.data;

/** An edit with a webhook_url, canceled while the queue is down: its webhook is owed. */
async function editOwingWebhook(label: string) {
  const hookName = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  const { customer, accepted } = await customerWithQueuedEdit(label, `${receiver}/hooks/${hookName}`);
  const settledAtMs = Date.now();
  expect(await cancelWithQueue(accepted.id, unavailableQueue, settledAtMs)).toBe(true);
  return { key: customer.key, editId: accepted.id, hookName, settledAtMs };
}

describe("the sweep of owed webhooks", () => {
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM webhook_outbox");
  });

  it("queues a webhook whose send failed once the grace is over, signed on delivery, and only once", async () => {
    const { key, editId, hookName, settledAtMs } = await editOwingWebhook("sweep-delivers");
    const recording = recordingQueue();
    const sweepEnv = envWithWebhookQueue(recording.queue);

    // Within the grace the settling request may still be sending it: the sweep leaves it alone.
    expect(await sweepOwedWebhooks(sweepEnv, { nowMs: settledAtMs + owedWebhookGraceMs - 1 })).toBe(0);
    expect(await owedWebhooks()).toHaveLength(1);

    expect(await sweepOwedWebhooks(sweepEnv, { nowMs: settledAtMs + owedWebhookGraceMs })).toBe(1);
    const message = { webhook_id: `msg_${editId}_canceled`, edit_id: editId, type: "edit.canceled" };
    expect(recording.sent).toEqual([message]);
    expect(await owedWebhooks()).toEqual([]);

    // The real queue's consumer delivers it to the receiver, signed with the account's secret.
    const [delivery] = await vi.waitFor(
      async () => {
        const list = await deliveries(key, editId);
        if (list.length === 0) throw new Error("no delivery yet");
        return list;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(delivery).toMatchObject({ webhook_id: message.webhook_id, attempt: 1, outcome: "delivered" });
    const [received, ...others] = await recorded(hookName);
    expect(others).toEqual([]);
    expect(received!.headers["webhook-id"]).toBe(message.webhook_id);
    const secret = (await call<{ secret: string }>("GET", "/v1/account/webhook-secret", { token: key })).body.secret;
    const payload = WebhookPayload.parse(new Webhook(secret).verify(received!.body, received!.headers));
    expect(payload).toMatchObject({ type: "edit.canceled", data: { id: editId, status: "canceled" } });

    // A later run finds nothing owed and sends nothing.
    expect(await sweepOwedWebhooks(sweepEnv, { nowMs: settledAtMs + 10 * owedWebhookGraceMs })).toBe(0);
    expect(recording.sent).toEqual([message]);
  });

  it("keeps the webhooks owed when the queue refuses the sweep too, and takes them again a grace later", async () => {
    const { editId, settledAtMs } = await editOwingWebhook("sweep-queue-down");
    const firstSweepMs = settledAtMs + owedWebhookGraceMs;
    const downEnv = envWithWebhookQueue(unavailableQueue);
    expect(await sweepOwedWebhooks(downEnv, { nowMs: firstSweepMs })).toBe(0);
    expect(await owedWebhooks()).toEqual([{ edit_id: editId, status: "canceled", owed_since: firstSweepMs }]);

    // Taken by the failed run, so an overlapping run does not take it again before its grace is over.
    const recording = recordingQueue();
    const upEnv = envWithWebhookQueue(recording.queue);
    expect(await sweepOwedWebhooks(upEnv, { nowMs: firstSweepMs + owedWebhookGraceMs - 1 })).toBe(0);
    expect(await sweepOwedWebhooks(upEnv, { nowMs: firstSweepMs + owedWebhookGraceMs })).toBe(1);
    expect(recording.sent).toEqual([expect.objectContaining({ edit_id: editId })]);
    expect(await owedWebhooks()).toEqual([]);
  });

  it("takes at most maxWebhooks per run, oldest first", async () => {
    const edits = [];
    for (const label of ["sweep-bound-1", "sweep-bound-2", "sweep-bound-3"]) edits.push(await editOwingWebhook(label));
    const nowMs = edits.at(-1)!.settledAtMs + owedWebhookGraceMs;
    const recording = recordingQueue();
    const sweepEnv = envWithWebhookQueue(recording.queue);

    expect(await sweepOwedWebhooks(sweepEnv, { nowMs, maxWebhooks: 2 })).toBe(2);
    expect(await owedWebhooks()).toEqual([expect.objectContaining({ edit_id: edits[2]!.editId })]);
    expect(await sweepOwedWebhooks(sweepEnv, { nowMs, maxWebhooks: 2 })).toBe(1);
    expect(recording.sent).toEqual(edits.map(({ editId }) => expect.objectContaining({ edit_id: editId })));
    expect(await owedWebhooks()).toEqual([]);
  });

  it("runs from the worker's cron trigger", async () => {
    const { editId } = await editOwingWebhook("sweep-cron");
    // Owed for longer than the grace, as if it had been left by a settlement a minute ago.
    await env.DB.prepare("UPDATE webhook_outbox SET owed_since = owed_since - 60000 WHERE edit_id = ?")
      .bind(editId)
      .run();
    const recording = recordingQueue();
    await worker.scheduled(
      createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }),
      envWithWebhookQueue(recording.queue),
    );
    expect(recording.sent).toEqual([expect.objectContaining({ edit_id: editId, type: "edit.canceled" })]);
    expect(await owedWebhooks()).toEqual([]);
  });
});
