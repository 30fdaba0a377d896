/** @module events: server-sent events of GET /v1/edits/{id}/events and the webhook payload. */
import { z } from "zod";
import { Edit, EditStatus, Progress } from "./edit.js";
import { EditId } from "./ids.js";
import { EditPreview } from "./previews.js";

/**
 * SSE `event:` names; `data:` is an EditEvent. The stream ends after a terminal `status` event. A `preview` event's
 * `id:` line is its sequence number: a reconnect with Last-Event-ID gets only the previews after it.
 */
export const EditEvent = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("status"), id: EditId, status: EditStatus, at: z.iso.datetime() }),
    z.object({ type: z.literal("progress"), id: EditId, progress: Progress, at: z.iso.datetime() }),
    z.object({ type: z.literal("preview"), id: EditId, preview: EditPreview, at: z.iso.datetime() }),
  ])
  .meta({ id: "EditEvent" });
export type EditEvent = z.infer<typeof EditEvent>;

export const WebhookEventType = z
  .enum(["edit.running", "edit.succeeded", "edit.failed", "edit.canceled", "edit.expired"])
  .meta({ id: "WebhookEventType" });
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** Standard Webhooks payload: `{type, timestamp, livemode, data}`, signed over `webhook-id.webhook-timestamp.body`. */
export const WebhookPayload = z
  .object({
    type: WebhookEventType,
    timestamp: z.iso.datetime(),
    livemode: z.boolean().meta({ description: "false for the edits of sk_test_ keys (as data.livemode)" }),
    data: Edit,
  })
  .meta({ id: "WebhookPayload" });
export type WebhookPayload = z.infer<typeof WebhookPayload>;

export function webhookEventType(status: EditStatus): WebhookEventType | undefined {
  return status === "queued" ? undefined : `edit.${status}`;
}
