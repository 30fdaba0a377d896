import { env } from "cloudflare:test";
import { jobError } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { createCustomer } from "../test-support/api.js";
import {
  expectedPrice,
  ledgerTotals,
  queuedEditIds,
  submit,
  submitAccepted,
  uploadPng,
} from "../test-support/edits.js";
import { grantCredits, settleEdit } from "./ledger.js";

const img2img = (image: string) => ({ task: "img2img" as const, image, strength: 0.5, steps: 10 });

describe("credits ledger", () => {
  it("accepts exactly the 10 of 50 concurrent submissions the balance covers, and the ledger sums", async () => {
    const probe = await createCustomer("ledger-concurrency", 1);
    const image = await uploadPng(probe.key, 64, 64);
    const price = expectedPrice(img2img(image), 64, 64);
    const granted = 10 * price + (price - 1);
    await grantCredits(env.DB, {
      accountId: probe.account.id,
      amountMicro: granted - 1,
      note: null,
      nowMs: Date.now(),
    });

    const replies = await Promise.all(Array.from({ length: 50 }, () => submit(probe.key, img2img(image))));

    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(40);
    const totals = await ledgerTotals(probe.account.id);
    expect(totals).toEqual({
      balance: price - 1,
      held: 10 * price,
      ledgerAmount: price - 1,
      ledgerHeldChange: 10 * price,
      kinds: { grant: 2, hold: 10 },
    });
    const accepted = replies.filter((r) => r.status === 202).map((r) => r.body.id);
    const edits = await env.DB.prepare("SELECT id FROM edits WHERE account_id = ?")
      .bind(probe.account.id)
      .all<{ id: string }>();
    expect(edits.results.map((e) => e.id).sort()).toEqual([...accepted].sort());
    expect(await queuedEditIds()).toEqual(expect.arrayContaining(accepted));
  });

  it("captures the hold of a succeeded edit once: charged, held released, balance unchanged", async () => {
    const customer = await createCustomer("ledger-capture");
    const image = await uploadPng(customer.key, 64, 64);
    const edit = await submitAccepted(customer.key, img2img(image));
    const before = await ledgerTotals(customer.account.id);

    const settle = () => settleEdit(env.DB, { editId: edit.id, status: "succeeded", nowMs: Date.now() });
    expect(await settle()).toBe(true);
    expect(await settle()).toBe(false);

    const after = await ledgerTotals(customer.account.id);
    expect(after).toMatchObject({ balance: before.balance, held: before.held - edit.price, kinds: { capture: 1 } });
    expect(after.ledgerAmount).toBe(after.balance);
    expect(after.ledgerHeldChange).toBe(after.held);
    const row = await env.DB.prepare("SELECT status, charged_micro FROM edits WHERE id = ?").bind(edit.id).first();
    expect(row).toEqual({ status: "succeeded", charged_micro: edit.price });
  });

  it("releases the hold of a failed edit once, and a later success cannot capture it", async () => {
    const customer = await createCustomer("ledger-release");
    const image = await uploadPng(customer.key, 64, 64);
    const start = await ledgerTotals(customer.account.id);
    const edit = await submitAccepted(customer.key, img2img(image));

    const failure = jobError("model_error");
    expect(await settleEdit(env.DB, { editId: edit.id, status: "failed", error: failure, nowMs: Date.now() })).toBe(
      true,
    );
    expect(await settleEdit(env.DB, { editId: edit.id, status: "succeeded", nowMs: Date.now() })).toBe(false);

    const after = await ledgerTotals(customer.account.id);
    expect(after).toMatchObject({ balance: start.balance, held: 0, kinds: { grant: 1, hold: 1, release: 1 } });
    expect(after.ledgerAmount).toBe(after.balance);
    const row = await env.DB.prepare("SELECT status, charged_micro, error_json FROM edits WHERE id = ?")
      .bind(edit.id)
      .first<{ status: string; charged_micro: number; error_json: string }>();
    expect(row).toMatchObject({ status: "failed", charged_micro: 0 });
    expect(JSON.parse(row!.error_json)).toEqual(failure);
  });

  it("refuses to grant to an account that does not exist, writing nothing", async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM ledger_entries").first<{ n: number }>();
    expect(
      await grantCredits(env.DB, { accountId: "acct_missing0000000000000", amountMicro: 5, note: null, nowMs: 1 }),
    ).toBe(false);
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM ledger_entries").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("rejects a negative balance at the schema level even if code tried to write one", async () => {
    const customer = await createCustomer("ledger-check", 10);
    await expect(
      env.DB.prepare("UPDATE accounts SET balance_micro = balance_micro - 11 WHERE id = ?")
        .bind(customer.account.id)
        .run(),
    ).rejects.toThrow(/CHECK constraint failed/);
  });
});
