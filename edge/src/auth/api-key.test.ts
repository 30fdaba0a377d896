import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { call, createAccount, createKey, expectProblem, operatorToken } from "../test-support/api.js";
import { keyCacheMs } from "./key-cache.js";

describe("API key authentication", () => {
  it("lets a valid key in and records when it was last used (after the response)", async () => {
    const account = await createAccount("auth-ok");
    const key = await createKey(account.id);
    expect(key.last_used_at).toBeNull();
    const reply = await call("GET", "/v1/account", { token: key.key });
    expect(reply.status).toBe(200);
    const lastUsed = () =>
      env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
        .bind(key.id)
        .first<{ last_used_at: number | null }>();
    await vi.waitFor(async () => expect((await lastUsed())?.last_used_at).toBeGreaterThan(0));
  });

  it("answers 401 with a Bearer challenge when the header is missing", async () => {
    const reply = await call("GET", "/v1/account");
    const problem = expectProblem(reply, 401, "unauthorized");
    expect(problem.detail).toContain("Authorization");
    expect(reply.headers.get("www-authenticate")).toContain("Bearer");
  });

  it.each([
    ["a Basic header", "Basic dXNlcjpwYXNz"],
    ["a malformed key", "Bearer sk_live_short"],
  ])("answers 401 for %s", async (_, header) => {
    expectProblem(await call("GET", "/v1/account", { headers: { authorization: header } }), 401, "unauthorized");
  });

  it("answers the same 401 for an unknown id, a wrong secret and the wrong mode", async () => {
    const account = await createAccount("auth-wrong");
    const key = await createKey(account.id, { mode: "live" });
    const wrongSecret = `${key.key.slice(0, -32)}${"A".repeat(32)}`;
    const unknownId = `sk_live_${"Z".repeat(16)}_${key.key.slice(-32)}`;
    const wrongMode = key.key.replace("sk_live_", "sk_test_");
    const details = new Set<string>();
    for (const token of [wrongSecret, unknownId, wrongMode]) {
      details.add(expectProblem(await call("GET", "/v1/account", { token }), 401, "unauthorized").detail);
    }
    expect([...details]).toEqual(["the API key is not valid"]);
  });

  it("refuses a revoked key from the next request on", async () => {
    const account = await createAccount("auth-revoked");
    const key = await createKey(account.id);
    expect((await call("GET", "/v1/account", { token: key.key })).status).toBe(200);
    const revoked = await call("POST", `/admin/accounts/${account.id}/keys/${key.id}/revoke`, {
      token: operatorToken(),
    });
    expect(revoked.status).toBe(200);
    const problem = expectProblem(await call("GET", "/v1/account", { token: key.key }), 401, "unauthorized");
    expect(problem.detail).toContain("revoked");
  });

  it("refuses a key revoked elsewhere (another isolate) once this isolate's copy is a second old", async () => {
    const account = await createAccount("auth-revoked-elsewhere");
    const key = await createKey(account.id);
    expect((await call("GET", "/v1/account", { token: key.key })).status).toBe(200);
    // Straight to D1, as another isolate's revocation would be: this isolate is not told.
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), key.id).run();
    await new Promise((resolve) => setTimeout(resolve, keyCacheMs));
    const problem = expectProblem(await call("GET", "/v1/account", { token: key.key }), 401, "unauthorized");
    expect(problem.detail).toContain("revoked");
  });

  it("answers 403 when the key lacks the route's scope", async () => {
    const account = await createAccount("auth-scope");
    const readOnly = await createKey(account.id, { scopes: ["edits:read"] });
    const writeOnly = await createKey(account.id, { scopes: ["edits:write"] });
    const upload = { content_type: "image/png", content_length: 100 };
    const denied = await call("POST", "/v1/uploads", { token: readOnly.key, body: upload });
    expect(expectProblem(denied, 403, "forbidden").detail).toContain("edits:write");
    expectProblem(await call("GET", "/v1/edits", { token: writeOnly.key }), 403, "forbidden");
    expect((await call("GET", "/v1/edits", { token: readOnly.key })).status).toBe(200);
    expect((await call("POST", "/v1/uploads", { token: writeOnly.key, body: upload })).status).toBe(201);
  });

  it("never stores a usable secret: no table holds the key or its secret part", async () => {
    const account = await createAccount("auth-hashed");
    const keys = [await createKey(account.id), await createKey(account.id, { mode: "test" })];
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
    ).all<{ name: string }>();
    expect(tables.results.map((t) => t.name)).toContain("api_keys");
    const dump = JSON.stringify(
      await Promise.all(tables.results.map(({ name }) => env.DB.prepare(`SELECT * FROM "${name}"`).all())),
    );
    expect(dump).toContain(keys[0]!.id);
    for (const key of keys) {
      expect(dump).not.toContain(key.key);
      expect(dump).not.toContain(key.key.slice(-32));
    }
    const listed = await call("GET", `/admin/accounts/${account.id}/keys`, { token: operatorToken() });
    expect(JSON.stringify(listed.body)).not.toContain(keys[0]!.key.slice(-32));
  });
});
