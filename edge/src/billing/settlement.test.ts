import { env } from "cloudflare:test";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { readEditById } from "../db/edits.js";
import { cancelWithQueue, customerWithQueuedEdit, ledgerTotals } from "../test-support/edits.js";
import { owedWebhooks, recordingQueue, unavailableQueue } from "../test-support/queues.js";

const receiver = inject("webhookReceiver");

/** A queued edit, with a webhook_url on the loopback receiver or without one. */
async function queuedEdit(label: string, withWebhook: boolean) {
  const webhookUrl = withWebhook ? `${receiver}/hooks/${label}-${crypto.randomUUID().slice(0, 8)}` : undefined;
  const { customer, accepted } = await customerWithQueuedEdit(label, webhookUrl);
  return { accountId: customer.account.id, editId: accepted.id };
}

describe("finishEdit and the webhook outbox", () => {
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM webhook_outbox");
  });

  it("queues the webhook of an edit it ends and leaves nothing owed", async () => {
    const { editId } = await queuedEdit("finish-normal", true);
    const recording = recordingQueue();
    expect(await cancelWithQueue(editId, recording.queue)).toBe(true);
    expect(recording.sent).toEqual([{ webhook_id: `msg_${editId}_canceled`, edit_id: editId, type: "edit.canceled" }]);
    expect(await owedWebhooks()).toEqual([]);
  });

  it("keeps the webhook owed when the queue refuses it, with the edit and its money settled all the same", async () => {
    const { accountId, editId } = await queuedEdit("finish-queue-down", true);
    const beforeMs = Date.now();
    expect(await cancelWithQueue(editId, unavailableQueue)).toBe(true);
    expect((await readEditById(env.DB, editId))?.status).toBe("canceled");
    expect(await ledgerTotals(accountId)).toMatchObject({ held: 0, kinds: { hold: 1, release: 1 } });
    const [owed, ...others] = await owedWebhooks();
    expect(others).toEqual([]);
    expect(owed).toMatchObject({ edit_id: editId, status: "canceled" });
    expect(owed!.owed_since).toBeGreaterThanOrEqual(beforeMs);

    // A second ending of the same edit settles nothing and owes nothing more.
    expect(await cancelWithQueue(editId, unavailableQueue)).toBe(false);
    expect(await owedWebhooks()).toEqual([owed]);
  });

  it("never owes a webhook for an edit without a webhook_url, whether the queue works or not", async () => {
    const refused = await queuedEdit("finish-no-url-down", false);
    expect(await cancelWithQueue(refused.editId, unavailableQueue)).toBe(true);
    const working = await queuedEdit("finish-no-url", false);
    const recording = recordingQueue();
    expect(await cancelWithQueue(working.editId, recording.queue)).toBe(true);
    expect(recording.sent).toEqual([]);
    expect(await owedWebhooks()).toEqual([]);
  });
});
