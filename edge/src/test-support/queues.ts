/**
 * @module test-support/queues: Queue bindings wrapped at our own seam (the `env` handed to finishEdit or the sweep):
 * one that refuses every send, as a Queues outage would, and one that records what it passes on to the real queue.
 */
import { env } from "cloudflare:test";

/** A queue that is down: every send throws, nothing is queued. */
export const unavailableQueue: Queue = {
  send: () => Promise.reject(new Error("Queue send failed: service unavailable")),
  sendBatch: () => Promise.reject(new Error("Queue sendBatch failed: service unavailable")),
  metrics: () => Promise.reject(new Error("Queue metrics failed: service unavailable")),
};

/** The real webhook queue, recording the body of every message it is asked to queue. */
export function recordingQueue(): { queue: Queue; sent: unknown[] } {
  const sent: unknown[] = [];
  const queue: Queue = {
    send: async (body, options) => {
      const response = await env.WEBHOOKS.send(body, options);
      sent.push(body);
      return response;
    },
    sendBatch: async (messages, options) => {
      const batch = [...messages];
      const response = await env.WEBHOOKS.sendBatch(batch, options);
      sent.push(...batch.map((message) => message.body));
      return response;
    },
    metrics: () => env.WEBHOOKS.metrics(),
  };
  return { queue, sent };
}

/** The edge's env with `queue` as its webhook queue. */
export const envWithWebhookQueue = (queue: Queue): Env => ({ ...env, WEBHOOKS: queue });

/** Every owed webhook (webhook_outbox), oldest first. */
export async function owedWebhooks(): Promise<{ edit_id: string; status: string; owed_since: number }[]> {
  const { results } = await env.DB.prepare(
    "SELECT edit_id, status, owed_since FROM webhook_outbox ORDER BY owed_since, edit_id",
  ).all<{ edit_id: string; status: string; owed_since: number }>();
  return results;
}
