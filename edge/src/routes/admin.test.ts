import type { AccountView, ApiKeyView, CreatedKey } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { call, createAccount, createKey, expectProblem, operatorToken } from "../test-support/api.js";

const admin = <T>(method: string, path: string, body?: unknown) =>
  call<T>(method, path, { token: operatorToken(), body });

describe("operator token", () => {
  it.each([
    ["no token", undefined],
    ["a wrong token", "test-operator-token-not-a-secret-0123456780"],
    ["an API-key-shaped token", "sk_live_0123456789abcdef_0123456789abcdef0123456789abcdef"],
  ])("answers 401 to %s", async (_, token) => {
    const reply = await call("POST", "/admin/accounts", { token, body: { name: "x" } });
    expectProblem(reply, 401, "unauthorized");
    expect(reply.headers.get("www-authenticate")).toContain("stochedit-admin");
  });

  it("is not accepted as an API key, nor is an API key accepted on /admin", async () => {
    expectProblem(await call("GET", "/v1/account", { token: operatorToken() }), 401, "unauthorized");
    const account = await createAccount("admin-cross");
    const key = await createKey(account.id);
    expectProblem(await call("GET", `/admin/accounts/${account.id}`, { token: key.key }), 401, "unauthorized");
  });
});

describe("admin accounts and credits", () => {
  it("creates an account with no credits and reads it back", async () => {
    const created = await admin<AccountView>("POST", "/admin/accounts", { name: "Acme Photo" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^acct_[A-Za-z0-9]{20}$/),
      name: "Acme Photo",
      balance: 0,
      held: 0,
      recent_ledger: [],
    });
    const read = await admin<AccountView>("GET", `/admin/accounts/${created.body.id}`);
    expect(read.body).toEqual(created.body);
  });

  it("grants credits as a ledger entry", async () => {
    const account = await createAccount("admin-grant");
    const granted = await admin<AccountView>("POST", `/admin/accounts/${account.id}/credits`, {
      amount: 2_500_000,
      note: "welcome bonus",
    });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ balance: 2_500_000, held: 0 });
    expect(granted.body.recent_ledger).toEqual([
      {
        id: expect.any(Number),
        kind: "grant",
        amount: 2_500_000,
        held_change: 0,
        edit_id: null,
        note: "welcome bonus",
        livemode: true,
        created_at: expect.any(String),
      },
    ]);
  });

  it.each([
    ["zero", { amount: 0 }],
    ["a negative amount", { amount: -5 }],
    ["a fraction", { amount: 1.5 }],
  ])("answers 422 for a grant of %s", async (_, body) => {
    const account = await createAccount("admin-grant-invalid");
    const problem = expectProblem(
      await admin("POST", `/admin/accounts/${account.id}/credits`, body),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["amount"]);
  });

  it.each(["acct_00000000000000000000", "nope", `acct_${"0".repeat(41)}`, "ed_Q2w9Xk4LmN7pR1tYv8Zb"])(
    "answers 404 for an account id that names none, whatever its shape (%s)",
    async (missing) => {
      expectProblem(await admin("GET", `/admin/accounts/${missing}`), 404, "not_found");
      expectProblem(await admin("POST", `/admin/accounts/${missing}/credits`, { amount: 5 }), 404, "not_found");
      expectProblem(await admin("POST", `/admin/accounts/${missing}/keys`, {}), 404, "not_found");
      expectProblem(await admin("GET", `/admin/accounts/${missing}/keys`), 404, "not_found");
    },
  );

  it("answers 422 for an empty account name", async () => {
    const problem = expectProblem(await admin("POST", "/admin/accounts", { name: "" }), 422, "validation_failed");
    expect(problem.errors?.[0]?.path).toBe("name");
  });
});

describe("admin keys", () => {
  it("mints a live key with every scope by default, showing the secret only once", async () => {
    const account = await createAccount("admin-mint");
    const created = await admin<CreatedKey>("POST", `/admin/accounts/${account.id}/keys`, { name: "ios app" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      prefix: `sk_live_${created.body.id}`,
      scopes: ["edits:write", "edits:read"],
      name: "ios app",
      rate_limit_per_minute: null,
      last_used_at: null,
      revoked_at: null,
    });
    expect(created.body.key.startsWith(`${created.body.prefix}_`)).toBe(true);

    const listed = await admin<{ data: ApiKeyView[] }>("GET", `/admin/accounts/${account.id}/keys`);
    const { key: _secret, ...withoutSecret } = created.body;
    expect(listed.body.data).toEqual([withoutSecret]);
  });

  it("mints a test key with chosen scopes and its own rate limit", async () => {
    const account = await createAccount("admin-mint-test");
    const created = await createKey(account.id, { mode: "test", scopes: ["edits:read"], rate_limit_per_minute: 30 });
    expect(created).toMatchObject({ scopes: ["edits:read"], rate_limit_per_minute: 30 });
    expect(created.key.startsWith("sk_test_")).toBe(true);
  });

  it("revokes once and keeps the first revocation time", async () => {
    const account = await createAccount("admin-revoke");
    const key = await createKey(account.id);
    const path = `/admin/accounts/${account.id}/keys/${key.id}/revoke`;
    const first = await admin<ApiKeyView>("POST", path);
    const second = await admin<ApiKeyView>("POST", path);
    expect(first.body.revoked_at).not.toBeNull();
    expect(second.body.revoked_at).toBe(first.body.revoked_at);
  });

  it("answers 404 for a key id that names none, whatever its shape", async () => {
    const account = await createAccount("admin-revoke-missing");
    for (const missing of ["0000000000000000", "nope", "k".repeat(65), "sk_test_x"]) {
      const path = `/admin/accounts/${account.id}/keys/${missing}/revoke`;
      expectProblem(await admin("POST", path), 404, "not_found");
    }
  });

  it("answers 404 when revoking through another account's path", async () => {
    const owner = await createAccount("admin-revoke-owner");
    const other = await createAccount("admin-revoke-other");
    const key = await createKey(owner.id);
    expectProblem(await admin("POST", `/admin/accounts/${other.id}/keys/${key.id}/revoke`), 404, "not_found");
    expect((await call("GET", "/v1/account", { token: key.key })).status).toBe(200);
  });

  it("answers 422 for an unknown scope", async () => {
    const account = await createAccount("admin-scope");
    const problem = expectProblem(
      await admin("POST", `/admin/accounts/${account.id}/keys`, { scopes: ["billing:write"] }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.[0]?.path).toBe("scopes.0");
  });
});
