/** @module webhook-deliveries: D1 queries for the webhook delivery log: one row per attempt, listed per edit. */
import type { WebhookDelivery, WebhookDeliveryOutcome, WebhookEventType } from "@stochedit/shared";

export interface NewWebhookDelivery {
  editId: string;
  webhookId: string;
  type: WebhookEventType;
  url: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  outcome: WebhookDeliveryOutcome;
  nextAttemptAtMs: number | null;
  nowMs: number;
}

interface DeliveryRow {
  id: number;
  webhook_id: string;
  event_type: WebhookEventType;
  url: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  outcome: WebhookDeliveryOutcome;
  next_attempt_at: number | null;
  created_at: number;
}

export async function insertWebhookDelivery(db: D1Database, delivery: NewWebhookDelivery): Promise<void> {
  await db
    .prepare(
      `INSERT INTO webhook_deliveries (edit_id, webhook_id, event_type, url, attempt, status_code, error, duration_ms,
         outcome, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      delivery.editId,
      delivery.webhookId,
      delivery.type,
      delivery.url,
      delivery.attempt,
      delivery.statusCode,
      delivery.error,
      delivery.durationMs,
      delivery.outcome,
      delivery.nextAttemptAtMs,
      delivery.nowMs,
    )
    .run();
}

/** Oldest first. The caller has checked that the edit is the account's. */
export async function listWebhookDeliveries(db: D1Database, editId: string): Promise<WebhookDelivery[]> {
  const { results } = await db
    .prepare(
      `SELECT id, webhook_id, event_type, url, attempt, status_code, error, duration_ms, outcome, next_attempt_at,
         created_at
       FROM webhook_deliveries WHERE edit_id = ? ORDER BY id`,
    )
    .bind(editId)
    .all<DeliveryRow>();
  return results.map((row) => ({
    id: row.id,
    webhook_id: row.webhook_id,
    type: row.event_type,
    url: row.url,
    attempt: row.attempt,
    status_code: row.status_code,
    error: row.error,
    duration_ms: row.duration_ms,
    outcome: row.outcome,
    next_attempt_at: row.next_attempt_at === null ? null : new Date(row.next_attempt_at).toISOString(),
    created_at: new Date(row.created_at).toISOString(),
  }));
}
