/**
 * @module deliver-webhooks: the webhook queue's consumer. Each message is one event of one edit: it is signed with
 * the account's secrets (Standard Webhooks), POSTed to the edit's webhook_url, logged in D1, and retried after the
 * scheduled delay (WEBHOOK_RETRY_DELAYS_SECONDS, through the queue's own delays) until a 2xx, a 410 or the schedule's
 * end.
 */
import type { WebhookDeliveryOutcome, WebhookPayload } from "@stochedit/shared";
import { type EdgeConfig, readConfig } from "../config.js";
import { type EditRow, readEditById } from "../db/edits.js";
import { insertWebhookDelivery } from "../db/webhook-deliveries.js";
import { signingSecrets } from "../db/webhook-secrets.js";
import { editView } from "../views/edit-view.js";
import { WebhookMessage, webhookUrlOf } from "./webhook-message.js";
import { newWebhookSecret, webhookSignatureHeader } from "./webhook-signature.js";
import { webhookUrlProblem } from "./webhook-url-guard.js";

interface Sent {
  statusCode: number | null;
  error: string | null;
}

export async function deliverWebhookBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = readConfig(env);
  await Promise.all(batch.messages.map((message) => deliverWebhook(message, env, config)));
}

async function deliverWebhook(message: Message<unknown>, env: Env, config: EdgeConfig): Promise<void> {
  const parsed = WebhookMessage.safeParse(message.body);
  if (!parsed.success) {
    // No retry can make a malformed message deliverable; it is logged whole for whoever wrote it.
    log("error", "malformed webhook message dropped", { body: JSON.stringify(message.body), id: message.id });
    return message.ack();
  }
  const event = parsed.data;
  // message.attempts counts from 1; the wait before the next try, if the schedule has one.
  const retryDelaySeconds = config.webhooks.retryDelaysSeconds[message.attempts - 1];
  try {
    const edit = await readEditById(env.DB, event.edit_id);
    const url = edit && webhookUrlOf(edit);
    if (!edit || !url) {
      log("error", "webhook for an edit without a webhook_url dropped", { ...event });
      return message.ack();
    }
    const startedMs = Date.now();
    const refused = webhookUrlProblem(url, config.webhooks);
    const sent: Sent = refused
      ? { statusCode: null, error: `webhook_url ${refused}` }
      : await post(url, await signedRequest(env, config, event, edit), config.webhooks.timeoutMs);
    const nowMs = Date.now();
    const outcome = outcomeOf(sent, refused !== undefined, retryDelaySeconds);
    await insertWebhookDelivery(env.DB, {
      editId: event.edit_id,
      webhookId: event.webhook_id,
      type: event.type,
      url,
      attempt: message.attempts,
      statusCode: sent.statusCode,
      error: sent.error,
      durationMs: nowMs - startedMs,
      outcome,
      nextAttemptAtMs: outcome === "retrying" ? nowMs + retryDelaySeconds! * 1000 : null,
      nowMs,
    });
    log(outcome === "delivered" ? "info" : "warn", `webhook ${outcome}`, {
      ...event,
      attempt: message.attempts,
      status: sent.statusCode,
      error: sent.error,
    });
    if (outcome === "retrying") message.retry({ delaySeconds: retryDelaySeconds! });
    else message.ack();
  } catch (error) {
    // D1 or S3 failed on our side: try again on the same schedule (the queue's max_retries bounds it).
    log("error", "webhook delivery failed on the edge", { ...event, error: String(error) });
    message.retry({ delaySeconds: retryDelaySeconds ?? config.webhooks.retryDelaysSeconds.at(-1)! });
  }
}

function outcomeOf(sent: Sent, refused: boolean, retryDelaySeconds: number | undefined): WebhookDeliveryOutcome {
  if (refused) return "refused";
  if (sent.statusCode !== null && sent.statusCode >= 200 && sent.statusCode < 300) return "delivered";
  if (sent.statusCode === 410) return "gone";
  return retryDelaySeconds === undefined ? "gave_up" : "retrying";
}

interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

async function signedRequest(
  env: Env,
  config: EdgeConfig,
  event: WebhookMessage,
  edit: EditRow,
): Promise<SignedRequest> {
  const nowMs = Date.now();
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: new Date(nowMs).toISOString(),
    livemode: edit.livemode === 1,
    data: await editView(edit, config.s3, nowMs),
  };
  const body = JSON.stringify(payload);
  const timestampSeconds = Math.floor(nowMs / 1000);
  const secrets = await signingSecrets(env.DB, edit.account_id, newWebhookSecret(), nowMs);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "stochedit-webhooks/1",
      "webhook-id": event.webhook_id,
      "webhook-timestamp": String(timestampSeconds),
      "webhook-signature": await webhookSignatureHeader(secrets, { id: event.webhook_id, timestampSeconds, body }),
    },
  };
}

/** One POST. Redirects are not followed (a redirect could lead past the URL guard); they count as failures. */
async function post(url: string, request: SignedRequest, timeoutMs: number): Promise<Sent> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return { statusCode: response.status, error: null };
    const redirect = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
    return { statusCode: response.status, error: `the receiver answered ${response.status}${redirect}` };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      statusCode: null,
      error: timedOut ? `no answer within ${timeoutMs} ms` : `the request failed: ${String(error)}`,
    };
  }
}

function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>) {
  console[level === "info" ? "log" : level](JSON.stringify({ level, message, ...fields }));
}
