/**
 * @module sweep-owed-webhooks: queues the webhooks that settlements recorded as owed (webhook_outbox) but nobody
 * queued: the send failed, or the worker stopped between settling and sending. Run by the cron trigger.
 */
import { clearOwedWebhooks, takeOwedWebhooks } from "../db/webhook-outbox.js";
import { type WebhookMessage, webhookMessage } from "./webhook-message.js";

/**
 * How long a webhook must have been owed before the sweep sends it: the settling request normally queues it and
 * clears the row within milliseconds, so the sweep leaves it alone that long rather than send it a second time.
 */
export const owedWebhookGraceMs = 30_000;

/** At most this many webhooks per run, so one run stays short however long the queue was down. */
export const sweepMaxWebhooks = 500;

/** Cloudflare Queues' limit on the messages of one sendBatch. */
const queueBatchMaxMessages = 100;

export interface SweepOptions {
  nowMs: number;
  /** Defaults to sweepMaxWebhooks. */
  maxWebhooks?: number;
}

/**
 * Queues the webhooks owed for longer than owedWebhookGraceMs, oldest first, and clears them batch by batch once
 * queued. A batch the queue refuses stays owed and is taken again one grace period later. Returns how many were
 * queued. Delivery is at least once: a webhook queued just before its row was cleared may go out twice, with the
 * same webhook-id.
 */
export async function sweepOwedWebhooks(env: Env, options: SweepOptions): Promise<number> {
  const owed = await takeOwedWebhooks(env.DB, {
    owedAtOrBeforeMs: options.nowMs - owedWebhookGraceMs,
    limit: options.maxWebhooks ?? sweepMaxWebhooks,
    nowMs: options.nowMs,
  });
  let queued = 0;
  for (let start = 0; start < owed.length; start += queueBatchMaxMessages) {
    const batch = owed.slice(start, start + queueBatchMaxMessages);
    const messages = batch.flatMap(({ editId, status }): MessageSendRequest<WebhookMessage>[] => {
      const message = webhookMessage(editId, status);
      return message === undefined ? [] : [{ body: message, contentType: "json" }];
    });
    try {
      await env.WEBHOOKS.sendBatch(messages);
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          message: "owed webhooks not queued; the next sweep tries again",
          count: batch.length,
          error: String(error),
        }),
      );
      break;
    }
    await clearOwedWebhooks(
      env.DB,
      batch.map(({ editId }) => editId),
    );
    queued += messages.length;
  }
  if (owed.length > 0) {
    console.log(JSON.stringify({ level: "info", message: "owed webhooks swept", owed: owed.length, queued }));
  }
  return queued;
}
