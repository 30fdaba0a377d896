/**
 * Round trips to storage on the hot routes, counted at the bindings: the worker's own fetch handler runs with D1 and
 * both Durable Object namespaces wrapped in counters, and S3 requests counted at fetch. Background work (waitUntil)
 * is waited for and counted too.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyCacheMs } from "./auth/key-cache.js";
import worker from "./index.js";
import { createCustomer } from "./test-support/api.js";
import { submitAccepted, uploadPng } from "./test-support/edits.js";

interface Counts {
  d1: number;
  rateLimiter: number;
  dispatcher: number;
  s3: number;
}

/** D1 with every executed statement or batch counted; statements are unwrapped again for `batch`. */
function countingD1(db: D1Database, counts: Counts): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...values: unknown[]) => wrap(value.apply(target, values));
        return (...args: unknown[]) => {
          counts.d1++;
          return value.apply(target, args);
        };
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counts.d1++;
          return target.batch(statements.map((s) => originals.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A Durable Object namespace whose stubs count every call made on them. */
function countingNamespace<T extends Rpc.DurableObjectBranded>(
  namespace: DurableObjectNamespace<T>,
  count: () => void,
): DurableObjectNamespace<T> {
  return new Proxy(namespace, {
    get(target, property) {
      if (property === "get") {
        return (id: DurableObjectId) => {
          const stub = target.get(id);
          return new Proxy(stub, {
            get(stubTarget, method) {
              const value = Reflect.get(stubTarget, method);
              if (typeof value !== "function" || typeof method !== "string") return value;
              // Called on the stub itself, as the worker would: an RPC method taken off it cannot be applied.
              return (...args: unknown[]) => {
                count();
                return (stubTarget as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
              };
            },
          });
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const counts: Counts = { d1: 0, rateLimiter: 0, dispatcher: 0, s3: 0 };
const countingEnv: Env = {
  ...env,
  DB: countingD1(env.DB, counts),
  RATE_LIMITER: countingNamespace(env.RATE_LIMITER, () => counts.rateLimiter++),
  DISPATCHER: countingNamespace(env.DISPATCHER, () => counts.dispatcher++),
};

/** One request through the worker with the counting bindings; returns what it cost, background work included. */
async function roundTrips(method: string, path: string, key: string, body?: unknown): Promise<Counts> {
  Object.assign(counts, { d1: 0, rateLimiter: 0, dispatcher: 0, s3: 0 });
  const request = new Request(`https://edge.test${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, countingEnv, ctx);
  await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return { ...counts };
}

const realFetch = globalThis.fetch;
vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
  if (new Request(input, init).url.startsWith(env.S3_ENDPOINT)) counts.s3++;
  return realFetch(input, init);
});
afterEach(() => {
  Object.assign(counts, { d1: 0, rateLimiter: 0, dispatcher: 0, s3: 0 });
});

/** A key used a moment ago: its row is the isolate's (key-cache.ts), its last-used time fresh, its first report made. */
async function warmKey(key: string): Promise<void> {
  await roundTrips("GET", "/v1/account", key);
}

describe("storage round trips per authenticated request", () => {
  it("a key not read in the last second: the key, then the route's own read (the last-used write after the response)", async () => {
    const customer = await createCustomer("trips-cold");
    expect(await roundTrips("GET", "/v1/account", customer.key)).toEqual({
      d1: 3,
      rateLimiter: 1,
      dispatcher: 0,
      s3: 0,
    });
  });

  it("GET /v1/account: the account with its ledger in one batch", async () => {
    const customer = await createCustomer("trips-account");
    await warmKey(customer.key);
    expect(await roundTrips("GET", "/v1/account", customer.key)).toEqual({
      d1: 1,
      rateLimiter: 0,
      dispatcher: 0,
      s3: 0,
    });
  });

  it("POST /v1/quote: the upload, and one ranged read of the image's header", async () => {
    const customer = await createCustomer("trips-quote");
    const image = await uploadPng(customer.key, 64, 64);
    const quote = { task: "img2img", image, strength: 0.5 };
    await warmKey(customer.key);
    expect(await roundTrips("POST", "/v1/quote", customer.key, quote)).toEqual({
      d1: 1,
      rateLimiter: 0,
      dispatcher: 0,
      s3: 1,
    });
  });

  it("GET /v1/edits/{id}: the edit", async () => {
    const customer = await createCustomer("trips-edit");
    const image = await uploadPng(customer.key, 64, 64);
    const edit = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5 });
    await warmKey(customer.key);
    expect(await roundTrips("GET", `/v1/edits/${edit.id}`, customer.key)).toEqual({
      d1: 1,
      rateLimiter: 0,
      dispatcher: 0,
      s3: 0,
    });
  });

  it("reads a key again once the isolate's copy is a second old", async () => {
    const customer = await createCustomer("trips-key-expiry");
    await warmKey(customer.key);
    await new Promise((resolve) => setTimeout(resolve, keyCacheMs + 50));
    // The key and the batch; the last-used time, written a second ago, is fresh.
    expect((await roundTrips("GET", "/v1/account", customer.key)).d1).toBe(2);
  });

  it("writes a key's last-used time once, after the response, not on every request", async () => {
    const customer = await createCustomer("trips-last-used");
    const first = await roundTrips("GET", "/v1/account", customer.key);
    const second = await roundTrips("GET", "/v1/account", customer.key);
    // The first request's third statement is the write; the second finds the time fresh in the isolate's copy.
    expect([first.d1, second.d1]).toEqual([3, 1]);
  });

  it("tells the key's RateLimiter of its requests at most once a second, in the background", async () => {
    const customer = await createCustomer("trips-limiter");
    const startedMs = Date.now();
    let reports = 0;
    for (let i = 0; i < 10; i++) reports += (await roundTrips("GET", "/v1/account", customer.key)).rateLimiter;
    const elapsedSeconds = Math.floor((Date.now() - startedMs) / 1000);
    expect(reports).toBeGreaterThanOrEqual(1);
    expect(reports).toBeLessThanOrEqual(1 + elapsedSeconds);
  });

  it("refuses an address over its limit without any round trip", async () => {
    const customer = await createCustomer("trips-ip");
    await warmKey(customer.key);
    const from = { "cf-connecting-ip": "198.51.100.20", authorization: `Bearer ${customer.key}` };
    // vitest.config.ts: 5 per minute per address.
    for (let i = 0; i < 5; i++)
      await worker.fetch(
        new Request("https://edge.test/v1/account", { headers: from }),
        countingEnv,
        createExecutionContext(),
      );
    Object.assign(counts, { d1: 0, rateLimiter: 0, dispatcher: 0, s3: 0 });
    const ctx = createExecutionContext();
    const refused = await worker.fetch(
      new Request("https://edge.test/v1/account", { headers: from }),
      countingEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(refused.status).toBe(429);
    expect(counts).toEqual({ d1: 0, rateLimiter: 0, dispatcher: 0, s3: 0 });
  });
});
