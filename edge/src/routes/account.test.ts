import type { AccountView, LedgerEntry, LedgerPage } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createAccount, createCustomer, createKey, expectProblem, operatorToken } from "../test-support/api.js";
import { ledgerTotals, submitAccepted, uploadPng } from "../test-support/edits.js";

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

describe("the account routes' scope", () => {
  it.each(["/v1/account", "/v1/account/ledger"])("%s needs edits:read: a write-only key gets 403", async (path) => {
    const account = await createAccount("account-scope", 1000);
    const writeOnly = await createKey(account.id, { scopes: ["edits:write"] });
    const readOnly = await createKey(account.id, { scopes: ["edits:read"] });
    const refused = expectProblem(await call("GET", path, { token: writeOnly.key }), 403, "forbidden");
    expect(refused.detail).toContain("edits:read");
    expect((await call("GET", path, { token: readOnly.key })).status).toBe(200);
  });
});

describe("GET /v1/account/ledger", () => {
  /** Every page from the first, following next_cursor; the cursors seen on the way. */
  async function allPages(key: string, limit: number) {
    const entries: LedgerEntry[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor === null ? "" : `&cursor=${cursor}`}`;
      const reply = await call<LedgerPage>("GET", `/v1/account/ledger?${query}`, { token: key });
      expect(reply.status).toBe(200);
      entries.push(...reply.body.data);
      pageSizes.push(reply.body.data.length);
      cursor = reply.body.next_cursor;
    } while (cursor !== null);
    return { entries, pageSizes };
  }

  it("pages through every entry, newest first, and the entries add up to the balance and the held amount", async () => {
    const customer = await createCustomer("ledger-pages", 5_000_000);
    const image = await uploadPng(customer.key, 64, 64);
    const edits = [];
    for (let i = 0; i < 4; i++)
      edits.push(await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5, seed: i }));
    // Two of them released again, two still held: grant + 4 holds + 2 releases + a second grant = 8 entries.
    for (const edit of edits.slice(0, 2)) {
      expect((await call("POST", `/v1/edits/${edit.id}/cancel`, { token: customer.key })).status).toBe(200);
    }
    const grant = await call("POST", `/admin/accounts/${customer.account.id}/credits`, {
      token: operatorToken(),
      body: { amount: 7, note: "second grant" },
    });
    expect(grant.status).toBe(200);

    const { entries, pageSizes } = await allPages(customer.key, 3);
    expect(pageSizes).toEqual([3, 3, 2]);
    const ids = entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(8);
    expect(entries.map((e) => e.kind)).toEqual([
      "grant",
      "release",
      "release",
      "hold",
      "hold",
      "hold",
      "hold",
      "grant",
    ]);

    const account = (await call<AccountView>("GET", "/v1/account", { token: customer.key })).body;
    const sum = (pick: (e: LedgerEntry) => number) => entries.reduce((total, e) => total + pick(e), 0);
    expect(sum((e) => e.amount)).toBe(account.balance);
    expect(sum((e) => e.held_change)).toBe(account.held);
    expect(account.held).toBe(edits[2]!.price + edits[3]!.price);
    const totals = await ledgerTotals(customer.account.id);
    expect([totals.balance, totals.held]).toEqual([account.balance, account.held]);
    // The account view's recent entries are the first page of the same list.
    expect(account.recent_ledger).toEqual(entries);
  });

  it("keeps its place: entries written while a client pages do not shift the later pages", async () => {
    const customer = await createCustomer("ledger-stable", 1000);
    for (const amount of [1, 2, 3]) {
      await call("POST", `/admin/accounts/${customer.account.id}/credits`, {
        token: operatorToken(),
        body: { amount },
      });
    }
    const first = (await call<LedgerPage>("GET", "/v1/account/ledger?limit=2", { token: customer.key })).body;
    expect(first.data.map((e) => e.amount)).toEqual([3, 2]);
    await call("POST", `/admin/accounts/${customer.account.id}/credits`, {
      token: operatorToken(),
      body: { amount: 4 },
    });
    const second = (
      await call<LedgerPage>("GET", `/v1/account/ledger?limit=2&cursor=${first.next_cursor}`, { token: customer.key })
    ).body;
    expect(second).toEqual({
      data: [expect.objectContaining({ amount: 1 }), expect.objectContaining({ amount: 1000 })],
      next_cursor: null,
    });
  });

  it("shows only the caller's own entries", async () => {
    const a = await createCustomer("ledger-own-a", 11);
    const b = await createCustomer("ledger-own-b", 22);
    const pageA = (await call<LedgerPage>("GET", "/v1/account/ledger", { token: a.key })).body;
    const pageB = (await call<LedgerPage>("GET", "/v1/account/ledger", { token: b.key })).body;
    expect(pageA.data.map((e) => e.amount)).toEqual([11]);
    expect(pageB.data.map((e) => e.amount)).toEqual([22]);
  });

  it.each([
    ["a cursor it never issued", "cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["an edits cursor", `cursor=${btoa("1700000000000.ed_00000000000000000000").replace(/=+$/, "")}`, "cursor"],
    ["a limit over 100", "limit=101", "limit"],
    ["a limit of 0", "limit=0", "limit"],
  ])("answers 422 for %s", async (_, query, path) => {
    const customer = await createCustomer(`ledger-bad-${path}`, 1);
    const problem = expectProblem(
      await call("GET", `/v1/account/ledger?${query}`, { token: customer.key }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual([path]);
  });
});
