/** @module test-support/edits: helpers for tests that submit edits: an uploaded image and the price it should get. */

import { env, runInDurableObject } from "cloudflare:test";
import { type EditAccepted, EditRequest, type EditRequestInput, priceMicroCredits } from "@stochedit/shared";
import { expect } from "vitest";
import { finishEdit } from "../billing/settlement.js";
import { type Dispatcher, dispatcherStub } from "../dispatch/dispatcher.js";
import { call, createCustomer, type Reply, upload } from "./api.js";
import { encodePng } from "./png.js";
import { envWithWebhookQueue } from "./queues.js";

export async function uploadPng(key: string, width: number, height: number): Promise<string> {
  return upload(key, await encodePng(width, height));
}

/** What the edge should charge: the shared pricing applied to the parsed body and the image's real size. */
export function expectedPrice(body: EditRequestInput, width: number, height: number): number {
  return priceMicroCredits(EditRequest.parse(body), { width, height });
}

export function submit(key: string, body: EditRequestInput, idempotencyKey?: string): Promise<Reply<EditAccepted>> {
  return call<EditAccepted>("POST", "/v1/edits", {
    token: key,
    body,
    headers: idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey },
  });
}

export async function submitAccepted(key: string, body: EditRequestInput): Promise<EditAccepted> {
  const reply = await submit(key, body);
  expect(reply.status).toBe(202);
  return reply.body;
}

/** A new customer with one queued 64x64 img2img edit, reporting to `webhookUrl` when one is given. */
export async function customerWithQueuedEdit(label: string, webhookUrl?: string) {
  const customer = await createCustomer(label);
  const image = await uploadPng(customer.key, 64, 64);
  const accepted = await submitAccepted(customer.key, {
    task: "img2img",
    image,
    strength: 0.5,
    ...(webhookUrl !== undefined && { webhook_url: webhookUrl }),
  });
  return { customer, accepted };
}

/**
 * Ends a queued edit as canceled through finishEdit with `queue` as its webhook queue (not the cancel route, so the
 * test chooses where the webhook goes: `unavailableQueue` leaves it owed and sends nothing), then takes the job off
 * the Dispatcher. Returns whether this call ended the edit.
 */
export async function cancelWithQueue(editId: string, queue: Queue, nowMs = Date.now()): Promise<boolean> {
  const ended = await finishEdit(envWithWebhookQueue(queue), { editId, status: "canceled", nowMs });
  if (ended) await dispatcherStub(env).cancel(editId);
  return ended;
}

/** Balance, held amount and the ledger's sums, straight from D1. */
export async function ledgerTotals(accountId: string) {
  const account = await env.DB.prepare("SELECT balance_micro, held_micro FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ balance_micro: number; held_micro: number }>();
  const sums = await env.DB.prepare(
    `SELECT COALESCE(SUM(amount_micro), 0) AS amount, COALESCE(SUM(held_change_micro), 0) AS held_change
     FROM ledger_entries WHERE account_id = ?`,
  )
    .bind(accountId)
    .first<{ amount: number; held_change: number }>();
  const kinds = await env.DB.prepare(
    "SELECT kind, COUNT(*) AS n FROM ledger_entries WHERE account_id = ? GROUP BY kind ORDER BY kind",
  )
    .bind(accountId)
    .all<{ kind: string; n: number }>();
  return {
    balance: account!.balance_micro,
    held: account!.held_micro,
    ledgerAmount: sums!.amount,
    ledgerHeldChange: sums!.held_change,
    kinds: Object.fromEntries(kinds.results.map((r) => [r.kind, r.n])),
  };
}

/** The edits waiting in the Dispatcher's ready queue, in the order runners will get them. */
export function queuedEditIds(dispatcher: DurableObjectStub<Dispatcher> = dispatcherStub(env)): Promise<string[]> {
  return runInDurableObject(dispatcher, (_, state) =>
    state.storage.sql
      .exec<{ edit_id: string }>("SELECT edit_id FROM ready ORDER BY seq")
      .toArray()
      .map((row) => row.edit_id),
  );
}
