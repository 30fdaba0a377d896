/** @module webhook-delivery: the log of webhook delivery attempts, as GET /v1/edits/{id}/deliveries lists it. */
import { z } from "zod";
import { WebhookEventType } from "./events.js";

/**
 * delivered: 2xx; retrying: another attempt is scheduled (next_attempt_at); gone: the receiver answered 410, so no
 * more; gave_up: the retry schedule ended; refused: the URL is not allowed (SSRF guard), nothing was sent.
 */
export const WebhookDeliveryOutcome = z
  .enum(["delivered", "retrying", "gone", "gave_up", "refused"])
  .meta({ id: "WebhookDeliveryOutcome" });
export type WebhookDeliveryOutcome = z.infer<typeof WebhookDeliveryOutcome>;

export const WebhookDelivery = z
  .object({
    id: z.int(),
    webhook_id: z.string().meta({ description: "The webhook-id header: the same on every attempt of one event" }),
    type: WebhookEventType,
    url: z.string(),
    attempt: z.int().min(1),
    status_code: z.int().nullable().meta({ description: "The receiver's HTTP status; null when none came back" }),
    error: z.string().nullable(),
    duration_ms: z.int().min(0),
    outcome: WebhookDeliveryOutcome,
    next_attempt_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = z
  .object({ data: z.array(WebhookDelivery).meta({ description: "Oldest first" }) })
  .meta({ id: "WebhookDeliveryList" });
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;
