/** @module webhook-message: the queue message that asks for one webhook delivery, and how an ended edit sends it. */
import { EditId, type EditStatus, WebhookEventType, webhookEventType } from "@stochedit/shared";
import { z } from "zod";
import { type EditRow, storedRequest } from "../db/edits.js";

/** What the queue carries: which event of which edit. The payload is built at delivery, from D1. */
export const WebhookMessage = z.object({
  /** Standard Webhooks' webhook-id: the same on every retry, so receivers can drop duplicates. */
  webhook_id: z.string().min(1),
  edit_id: EditId,
  type: WebhookEventType,
});
export type WebhookMessage = z.infer<typeof WebhookMessage>;

/** One event per edit and status, so the id is derived from them: an event sent twice keeps its id. */
export function webhookId(editId: string, status: EditStatus): string {
  return `msg_${editId}_${status}`;
}

/** The message announcing that the edit reached `status`; undefined for a status that has no webhook (queued). */
export function webhookMessage(editId: string, status: EditStatus): WebhookMessage | undefined {
  const type = webhookEventType(status);
  return type === undefined ? undefined : { webhook_id: webhookId(editId, status), edit_id: editId, type };
}

/** The edit's webhook_url, if the request set one. */
export function webhookUrlOf(edit: Pick<EditRow, "request_json">): string | undefined {
  return storedRequest(edit).webhook_url;
}

/**
 * Queues the webhook of an edit that has just changed status, when its request asked for webhooks. Returns whether
 * a message was queued; a failed send throws.
 */
export async function enqueueWebhook(
  queue: Queue,
  edit: Pick<EditRow, "id" | "status" | "request_json">,
): Promise<boolean> {
  const message = webhookMessage(edit.id, edit.status);
  if (message === undefined || webhookUrlOf(edit) === undefined) return false;
  await queue.send(message, { contentType: "json" });
  return true;
}
