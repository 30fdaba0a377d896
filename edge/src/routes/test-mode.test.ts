import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import {
  type AccountView,
  type ClaimedJob,
  type Edit,
  type EditList,
  type Quote,
  WebhookPayload,
} from "@stochedit/shared";
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import worker from "../index.js";
import { call, createAccount, createKey, expectProblem } from "../test-support/api.js";
import { expectedPrice, ledgerTotals, submit, uploadPng } from "../test-support/edits.js";
import { jobCall, runnerCall, storeOutput } from "../test-support/runner.js";
import type { WebhookMessage } from "../webhooks/webhook-message.js";

/** An account with a live key and a test key; `grant` credits (0: a test key must work without any). */
async function customer(label: string, grant = 0) {
  const account = await createAccount(label, grant);
  const [live, test] = await Promise.all([
    createKey(account.id, { mode: "live", rate_limit_per_minute: 100_000 }),
    createKey(account.id, { mode: "test", rate_limit_per_minute: 100_000 }),
  ]);
  expect(test.key).toMatch(/^sk_test_/);
  return { accountId: account.id, live: live.key, test: test.key };
}

const img2img = (image: string) => ({ task: "img2img" as const, image, strength: 0.5, steps: 10, seed: 7 });

/** Claims as a runner serving `model` only, as the test model's runners do; null when nothing of it waits. */
async function claimFor(model: string): Promise<ClaimedJob | null> {
  const reply = await runnerCall<ClaimedJob>("/internal/claim", { runner_id: `runner-${model}`, models: [model] });
  return reply.status === 200 ? reply.body : null;
}

describe("test mode (sk_test_ keys)", () => {
  it("quotes the live price, and queues an edit for the test model that holds nothing, also with no credits", async () => {
    const { accountId, live, test } = await customer("test-mode-free");
    const image = await uploadPng(test, 64, 64);
    const price = expectedPrice(img2img(image), 64, 64);
    const quoted = await call<Quote>("POST", "/v1/quote", { token: test, body: img2img(image) });
    expect(quoted.body.price).toBe(price);

    const accepted = await submit(test, img2img(image));
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: "queued", price, livemode: false });
    const edit = await call<Edit>("GET", `/v1/edits/${accepted.body.id}`, { token: test });
    expect(edit.body).toMatchObject({ livemode: false, model: env.TEST_MODEL, price, charged: 0 });
    expect(await ledgerTotals(accountId)).toMatchObject({ balance: 0, held: 0, kinds: { hold: 1 } });

    // The same request with the live key is refused: the account has no credits (and the upload is a test one).
    const liveImage = await uploadPng(live, 64, 64);
    expectProblem(await submit(live, img2img(liveImage)), 402, "insufficient_credits");
    // Only the test model's runners see the job.
    expect(await claimFor("stochedit-mini")).toBeNull();
    expect((await claimFor(env.TEST_MODEL))?.id).toBe(accepted.body.id);
  });

  it("captures nothing when a test edit succeeds; the ledger marks its rows, which live keys never see", async () => {
    const { accountId, live, test } = await customer("test-mode-capture", 5_000_000);
    const accepted = (await submit(test, img2img(await uploadPng(test, 64, 64)))).body;
    const job = await claimFor(env.TEST_MODEL);
    expect(job?.id).toBe(accepted.id);
    expect((await jobCall(accepted.id, "complete", await storeOutput(job!))).status).toBe(200);

    const edit = (await call<Edit>("GET", `/v1/edits/${accepted.id}`, { token: test })).body;
    expect(edit).toMatchObject({ status: "succeeded", charged: 0, livemode: false });
    expect(edit.output?.url).toMatch(/^http/);
    expect(await ledgerTotals(accountId)).toMatchObject({
      balance: 5_000_000,
      held: 0,
      ledgerAmount: 5_000_000,
      ledgerHeldChange: 0,
    });

    const testView = (await call<AccountView>("GET", "/v1/account", { token: test })).body;
    expect(testView).toMatchObject({ balance: 5_000_000, held: 0, livemode: false });
    expect(testView.recent_ledger.map((row) => [row.kind, row.amount, row.held_change, row.livemode])).toEqual([
      ["capture", 0, 0, false],
      ["hold", 0, 0, false],
    ]);
    const liveView = (await call<AccountView>("GET", "/v1/account", { token: live })).body;
    expect(liveView).toMatchObject({ balance: 5_000_000, livemode: true });
    expect(liveView.recent_ledger.map((row) => [row.kind, row.livemode])).toEqual([["grant", true]]);
  });

  it("keeps the modes apart: reads, lists, cancels, event streams, deliveries and uploads of the other mode are missing", async () => {
    const { live, test } = await customer("test-mode-apart", 5_000_000);
    const liveImage = await uploadPng(live, 64, 64);
    const testImage = await uploadPng(test, 64, 64);
    const liveEdit = (await submit(live, img2img(liveImage))).body;
    const testEdit = (await submit(test, img2img(testImage))).body;
    expect(liveEdit.livemode).toBe(true);

    for (const [key, other] of [
      [live, testEdit.id],
      [test, liveEdit.id],
    ] as const) {
      expectProblem(await call("GET", `/v1/edits/${other}`, { token: key }), 404, "not_found");
      expectProblem(await call("POST", `/v1/edits/${other}/cancel`, { token: key }), 404, "not_found");
      expectProblem(await call("GET", `/v1/edits/${other}/events`, { token: key }), 404, "not_found");
      expectProblem(await call("GET", `/v1/edits/${other}/deliveries`, { token: key }), 404, "not_found");
    }
    const listed = async (key: string) =>
      (await call<EditList>("GET", "/v1/edits", { token: key })).body.data.map((edit) => edit.id);
    expect(await listed(live)).toEqual([liveEdit.id]);
    expect(await listed(test)).toEqual([testEdit.id]);

    // An upload belongs to its mode: the other mode's id is refused as if it did not exist, when quoting too.
    const crossed = await submit(test, img2img(liveImage));
    expect(expectProblem(crossed, 422, "validation_failed").errors).toEqual([
      { path: "image", message: expect.stringContaining("does not exist") },
    ]);
    expectProblem(await call("POST", "/v1/quote", { token: live, body: img2img(testImage) }), 422, "validation_failed");
  });

  it("gives each mode its own Idempotency-Keys: the same key makes one edit in each, and replays within its mode", async () => {
    const { live, test } = await customer("test-mode-idempotency", 5_000_000);
    const [liveImage, testImage] = [await uploadPng(live, 64, 64), await uploadPng(test, 64, 64)];
    const liveFirst = await submit(live, img2img(liveImage), "order-1");
    const testFirst = await submit(test, img2img(testImage), "order-1");
    expect([liveFirst.status, testFirst.status]).toEqual([202, 202]);
    expect(testFirst.body.id).not.toBe(liveFirst.body.id);
    const testAgain = await submit(test, img2img(testImage), "order-1");
    expect(testAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(testAgain.body.id).toBe(testFirst.body.id);
    expectProblem(await submit(test, { ...img2img(testImage), steps: 11 }, "order-1"), 409, "idempotency_conflict");
    expect((await submit(live, img2img(liveImage), "order-1")).body.id).toBe(liveFirst.body.id);
  });

  it("marks a test edit's webhook livemode: false, signed like any other", async () => {
    const { test } = await customer("test-mode-webhook");
    const name = `test-mode-${crypto.randomUUID().slice(0, 8)}`;
    const image = await uploadPng(test, 64, 64);
    const accepted = await submit(test, {
      ...img2img(image),
      webhook_url: `${inject("webhookReceiver")}/hooks/${name}`,
    });
    const canceled = await call<Edit>("POST", `/v1/edits/${accepted.body.id}/cancel`, { token: test });
    expect(canceled.body).toMatchObject({ status: "canceled", livemode: false });

    const message: WebhookMessage = {
      webhook_id: `msg_${accepted.body.id}_canceled`,
      edit_id: accepted.body.id,
      type: "edit.canceled",
    };
    const batch = createMessageBatch<WebhookMessage>("stochedit-webhooks", [
      { id: "message-1", timestamp: new Date(), attempts: 1, body: message },
    ]);
    await worker.queue(batch as MessageBatch<unknown>, env);
    await getQueueResult(batch, createExecutionContext());
    const [received] = (await (await fetch(`${inject("webhookReceiver")}/recorded/${name}`)).json()) as {
      headers: Record<string, string>;
      body: string;
    }[];
    const secret = (await call<{ secret: string }>("GET", "/v1/account/webhook-secret", { token: test })).body.secret;
    const payload = WebhookPayload.parse(new Webhook(secret).verify(received!.body, received!.headers));
    expect(payload).toMatchObject({
      type: "edit.canceled",
      livemode: false,
      data: { id: accepted.body.id, livemode: false },
    });
  });

  it("leaves test edits out of the backlog that scales the GPU runners", async () => {
    const { live, test } = await customer("test-mode-backlog", 5_000_000);
    const metrics = async () =>
      (await call<{ queued: number }>("GET", "/internal/metrics", { token: env.METRICS_TOKEN })).body.queued;
    const before = await metrics();
    await submit(test, img2img(await uploadPng(test, 64, 64)));
    expect(await metrics()).toBe(before);
    await submit(live, img2img(await uploadPng(live, 64, 64)));
    expect(await metrics()).toBe(before + 1);
  });
});
