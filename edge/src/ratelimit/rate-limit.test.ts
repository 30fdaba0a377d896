import { describe, expect, it } from "vitest";
import { call, createAccount, createKey, expectProblem } from "../test-support/api.js";

describe("per-key rate limiting", () => {
  it("sends RateLimit headers and answers 429 with Retry-After once the key's bucket is empty", async () => {
    const account = await createAccount("rate-limited");
    const key = await createKey(account.id, { rate_limit_per_minute: 3 });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await call("GET", "/v1/account", { token: key.key }));

    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(replies.map((r) => r.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);
    for (const reply of replies) {
      expect(reply.headers.get("ratelimit-limit")).toBe("3");
      expect(reply.headers.get("ratelimit-policy")).toBe("3;w=60");
    }
    const problem = expectProblem(replies[3]!, 429, "rate_limited");
    expect(problem.retryable).toBe(true);
    expect(replies[3]!.headers.get("retry-after")).toBe("20");
    expect(replies[3]!.headers.get("ratelimit-reset")).toBe("60");
  });

  it("counts each key separately, even within one account", async () => {
    const account = await createAccount("rate-two-keys");
    const first = await createKey(account.id, { rate_limit_per_minute: 1 });
    const second = await createKey(account.id, { rate_limit_per_minute: 1 });
    expect((await call("GET", "/v1/account", { token: first.key })).status).toBe(200);
    expect((await call("GET", "/v1/account", { token: first.key })).status).toBe(429);
    expect((await call("GET", "/v1/account", { token: second.key })).status).toBe(200);
  });

  it("uses the deployment's default limit for keys without their own", async () => {
    const account = await createAccount("rate-default");
    const key = await createKey(account.id);
    const reply = await call("GET", "/v1/account", { token: key.key });
    expect(reply.headers.get("ratelimit-limit")).toBe("120");
    expect(reply.headers.get("ratelimit-remaining")).toBe("119");
  });

  it("adds the headers to error answers of a rate-limited key too", async () => {
    const account = await createAccount("rate-errors");
    const key = await createKey(account.id, { rate_limit_per_minute: 5 });
    const reply = await call("GET", "/v1/edits/ed_00000000000000000000", { token: key.key });
    expectProblem(reply, 404, "not_found");
    expect(reply.headers.get("ratelimit-remaining")).toBe("4");
  });
});

describe("per-address rate limiting, before authentication", () => {
  // vitest.config.ts sets IP_RATE_LIMIT_PER_MINUTE to 5.
  const from = (address: string) => ({ "cf-connecting-ip": address });

  it("answers 429 with Retry-After once an address has used its requests, whatever key it sends", async () => {
    const account = await createAccount("rate-ip");
    const key = await createKey(account.id);
    const unknownKey = `sk_live_${"Q".repeat(16)}_${"q".repeat(32)}`;
    const replies = [];
    for (let i = 0; i < 5; i++)
      replies.push(await call("GET", "/v1/account", { token: unknownKey, headers: from("203.0.113.7") }));
    expect(replies.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);

    for (const token of [unknownKey, key.key]) {
      const refused = await call("GET", "/v1/account", { token, headers: from("203.0.113.7") });
      const problem = expectProblem(refused, 429, "rate_limited");
      expect(problem.detail).toContain("203.0.113.7");
      expect(problem.retryable).toBe(true);
      // 5 per minute: one more every 12 s.
      expect(refused.headers.get("retry-after")).toBe("12");
    }
    // Another address, and a request without one (from another worker), are not affected.
    expect((await call("GET", "/v1/account", { token: key.key, headers: from("203.0.113.8") })).status).toBe(200);
    expect((await call("GET", "/v1/account", { token: key.key })).status).toBe(200);
  });

  it("covers the operator's routes too", async () => {
    const replies = [];
    for (let i = 0; i < 6; i++) {
      replies.push(
        await call("GET", "/admin/accounts/acct_00000000000000000000", {
          token: "wrong",
          headers: from("203.0.113.9"),
        }),
      );
    }
    expect(replies.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
