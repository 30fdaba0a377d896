import type { AccountView } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createCustomer } from "../test-support/api.js";
import { submitAccepted, uploadPng } from "../test-support/edits.js";

describe("GET /v1/account", () => {
  it("shows the caller's balance, held credits and newest ledger entries first", async () => {
    const customer = await createCustomer("account-view", 5_000_000);
    const image = await uploadPng(customer.key, 128, 128);
    const edit = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5 });

    const reply = await call<AccountView>("GET", "/v1/account", { token: customer.key });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: customer.account.id,
      name: "account-view",
      balance: 5_000_000 - edit.price,
      held: edit.price,
    });
    expect(reply.body.recent_ledger.map((e) => [e.kind, e.amount, e.held_change, e.edit_id])).toEqual([
      ["hold", -edit.price, edit.price, edit.id],
      ["grant", 5_000_000, 0, null],
    ]);
  });

  it("shows only the caller's own account", async () => {
    const a = await createCustomer("account-a", 111);
    const b = await createCustomer("account-b", 222);
    const [viewA, viewB] = await Promise.all([
      call<AccountView>("GET", "/v1/account", { token: a.key }),
      call<AccountView>("GET", "/v1/account", { token: b.key }),
    ]);
    expect([viewA.body.id, viewA.body.balance]).toEqual([a.account.id, 111]);
    expect([viewB.body.id, viewB.body.balance]).toEqual([b.account.id, 222]);
  });
});
