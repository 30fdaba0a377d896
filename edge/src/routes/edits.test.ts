import { env } from "cloudflare:test";
import type { Edit, EditList } from "@stochedit/shared";
import { AwsClient } from "aws4fetch";
import { afterEach, describe, expect, it, vi } from "vitest";
import { settleEdit } from "../billing/ledger.js";
import { Dispatcher } from "../dispatch/dispatcher.js";
import { idempotencyKeyTtlMs } from "../edits/submit-edit.js";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import {
  expectedPrice,
  ledgerTotals,
  queuedEditIds,
  submit,
  submitAccepted,
  uploadPng,
} from "../test-support/edits.js";
import { checkPresignedUrl } from "../test-support/sigv4.js";

const drag = (image: string) => ({
  task: "drag" as const,
  image,
  prompt: "a cat",
  points: [{ from: [40, 40] as [number, number], to: [90, 60] as [number, number] }],
});
const img2img = (image: string, strength = 0.5) => ({ task: "img2img" as const, image, strength, steps: 10 });

const getEdit = (key: string, id: string) => call<Edit>("GET", `/v1/edits/${id}`, { token: key });
const cancel = (key: string, id: string) => call<Edit>("POST", `/v1/edits/${id}/cancel`, { token: key });

describe("POST /v1/edits", () => {
  it("queues the edit, holds its price and hands it to the Dispatcher", async () => {
    const customer = await createCustomer("edits-submit");
    const image = await uploadPng(customer.key, 160, 120);
    const before = await ledgerTotals(customer.account.id);
    const reply = await submit(customer.key, drag(image));

    expect(reply.status).toBe(202);
    const price = expectedPrice(drag(image), 160, 120);
    expect(reply.body).toEqual({
      id: expect.stringMatching(/^ed_[A-Za-z0-9]{20}$/),
      status: "queued",
      price,
      livemode: true,
      created_at: expect.any(String),
      links: {
        self: `/v1/edits/${reply.body.id}`,
        cancel: `/v1/edits/${reply.body.id}/cancel`,
        events: `/v1/edits/${reply.body.id}/events`,
        previews: `/v1/edits/${reply.body.id}/previews`,
        output: `/v1/edits/${reply.body.id}/output`,
      },
    });
    expect(await ledgerTotals(customer.account.id)).toMatchObject({
      balance: before.balance - price,
      held: price,
      kinds: { grant: 1, hold: 1 },
    });
    expect(await queuedEditIds()).toContain(reply.body.id);
  });

  it("records the job as the runner will run it: defaults, a fixed seed, the default model", async () => {
    const customer = await createCustomer("edits-record");
    const image = await uploadPng(customer.key, 160, 120);
    const withSeed = await submitAccepted(customer.key, { ...img2img(image), seed: 1234, sampler: "ode" });
    const withoutSeed = await submitAccepted(customer.key, img2img(image));

    const seeded = (await getEdit(customer.key, withSeed.id)).body;
    expect(seeded).toMatchObject({
      id: withSeed.id,
      task: "img2img",
      sampler: "ode",
      status: "queued",
      progress: { step: 0, total: 5 },
      price: withSeed.price,
      charged: 0,
      seed: 1234,
      model: "stochedit-mini",
      attempts: 0,
      started_at: null,
      finished_at: null,
    });
    expect(seeded.output).toBeUndefined();
    const unseeded = (await getEdit(customer.key, withoutSeed.id)).body;
    expect(unseeded.seed).toBeGreaterThanOrEqual(0);
    expect(unseeded.sampler).toBe("sde");
    const stored = await env.DB.prepare("SELECT request_json FROM edits WHERE id = ?")
      .bind(withoutSeed.id)
      .first<{ request_json: string }>();
    expect(JSON.parse(stored!.request_json)).toEqual({
      task: "img2img",
      image,
      prompt: "",
      sampler: "sde",
      seed: unseeded.seed,
      preset: "standard",
      steps: 10,
      guidance: 7.5,
      output_format: "png",
      model: "stochedit-mini",
      strength: 0.5,
      retention_seconds: 7 * 24 * 3600,
      previews: 0,
    });
  });

  it("answers 402 when the balance does not cover the price, holding and recording nothing", async () => {
    const customer = await createCustomer("edits-poor", 1000);
    const image = await uploadPng(customer.key, 160, 120);
    const reply = await submit(customer.key, drag(image));
    const problem = expectProblem(reply, 402, "insufficient_credits");
    expect(problem.detail).toBe(
      `this edit costs ${expectedPrice(drag(image), 160, 120)} micro-credits; the account has 1000 available`,
    );
    expect(await ledgerTotals(customer.account.id)).toMatchObject({ balance: 1000, held: 0, kinds: { grant: 1 } });
    const list = await call<EditList>("GET", "/v1/edits", { token: customer.key });
    expect(list.body.data).toEqual([]);
  });

  it("refuses an edit priced above max_price with 422 and the quote, holding and recording nothing", async () => {
    const customer = await createCustomer("edits-max-price");
    const image = await uploadPng(customer.key, 160, 120);
    const price = expectedPrice(drag(image), 160, 120);
    const before = await ledgerTotals(customer.account.id);

    const refused = await submit(customer.key, { ...drag(image), max_price: price - 1 });
    const problem = expectProblem(refused, 422, "price_above_max");
    expect(problem.retryable).toBe(false);
    expect(problem.detail).toContain(`costs ${price} micro-credits, above max_price ${price - 1}`);
    expect(problem.quote).toMatchObject({ price, width: 160, height: 120 });
    expect(await ledgerTotals(customer.account.id)).toEqual(before);
    expect((await call<EditList>("GET", "/v1/edits", { token: customer.key })).body.data).toEqual([]);

    const accepted = await submit(customer.key, { ...drag(image), max_price: price });
    expect(accepted.status).toBe(202);
    expect(accepted.body.price).toBe(price);
  });

  it("answers 422 for an Idempotency-Key that is not 1-255 visible characters", async () => {
    const customer = await createCustomer("edits-bad-key");
    const image = await uploadPng(customer.key, 160, 120);
    const problem = expectProblem(await submit(customer.key, drag(image), "x".repeat(256)), 422, "validation_failed");
    expect(problem.errors?.[0]?.path).toBe("idempotency-key");
  });
});

describe("when the Dispatcher fails", () => {
  // A Durable Object outage cannot be produced locally; the Dispatcher runs in the tests' isolate, so its
  // methods can be made to throw for one test.
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("fails the edit, releases its hold and answers 503", async () => {
    const customer = await createCustomer("edits-enqueue-fails");
    const image = await uploadPng(customer.key, 160, 120);
    const start = await ledgerTotals(customer.account.id);
    vi.spyOn(Dispatcher.prototype, "enqueue").mockImplementation(() => {
      throw new Error("dispatcher unreachable");
    });

    const reply = await submit(customer.key, drag(image));
    const problem = expectProblem(reply, 503, "unavailable");
    expect(problem.retryable).toBe(true);
    const edits = await env.DB.prepare("SELECT status, error_json FROM edits WHERE account_id = ?")
      .bind(customer.account.id)
      .all<{ status: string; error_json: string }>();
    expect(edits.results).toHaveLength(1);
    expect(edits.results[0]!.status).toBe("failed");
    expect(JSON.parse(edits.results[0]!.error_json)).toMatchObject({ code: "internal" });
    expect(await ledgerTotals(customer.account.id)).toMatchObject({ balance: start.balance, held: 0 });
  });

  it("frees the Idempotency-Key of an edit it could not queue, so the client's retry with it makes a new edit", async () => {
    const customer = await createCustomer("edits-enqueue-fails-retry");
    const image = await uploadPng(customer.key, 160, 120);
    const enqueue = vi.spyOn(Dispatcher.prototype, "enqueue").mockImplementationOnce(() => {
      throw new Error("dispatcher unreachable");
    });
    expectProblem(await submit(customer.key, drag(image), "retry-me"), 503, "unavailable");
    enqueue.mockRestore();
    const retried = await submit(customer.key, drag(image), "retry-me");
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe("queued");
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    const again = await submit(customer.key, drag(image), "retry-me");
    expect(again.body.id).toBe(retried.body.id);
  });

  it("answers an unexpected error with a 500 that reveals nothing internal", async () => {
    const customer = await createCustomer("edits-internal-error");
    const image = await uploadPng(customer.key, 160, 120);
    const edit = await submitAccepted(customer.key, drag(image));
    vi.spyOn(Dispatcher.prototype, "cancel").mockImplementation(() => {
      throw new Error("SQLITE_BUSY at /srv/internal/path");
    });
    const reply = await cancel(customer.key, edit.id);
    const problem = expectProblem(reply, 500, "internal");
    expect(JSON.stringify(problem)).not.toMatch(/SQLITE|internal\/path|Error/);
    expect(problem.detail).toContain(reply.headers.get("x-request-id")!);
  });
});

describe("Idempotency-Key", () => {
  it("returns the original edit for a retry with the same key and body, holding once", async () => {
    const customer = await createCustomer("idem-retry");
    const image = await uploadPng(customer.key, 160, 120);
    const first = await submit(customer.key, drag(image), "retry-1");
    const second = await submit(customer.key, drag(image), "retry-1");
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect((await ledgerTotals(customer.account.id)).kinds).toEqual({ grant: 1, hold: 1 });
  });

  it("treats a body equal after defaults as the same body", async () => {
    const customer = await createCustomer("idem-defaults");
    const image = await uploadPng(customer.key, 160, 120);
    const first = await submit(customer.key, drag(image), "defaults");
    const explicit = await submit(customer.key, { ...drag(image), sampler: "sde", t0: 0.6, steps: 200 }, "defaults");
    expect(explicit.body.id).toBe(first.body.id);
  });

  it("answers 409 when the key is reused with a different body", async () => {
    const customer = await createCustomer("idem-conflict");
    const image = await uploadPng(customer.key, 160, 120);
    const first = await submit(customer.key, drag(image), "conflict-1");
    const reply = await submit(customer.key, { ...drag(image), prompt: "a dog" }, "conflict-1");
    const problem = expectProblem(reply, 409, "idempotency_conflict");
    expect(problem.detail).toContain(first.body.id);
    expect((await ledgerTotals(customer.account.id)).kinds).toEqual({ grant: 1, hold: 1 });
  });

  /** Ages an edit, and so the key that created it, by rewriting its stored creation time. */
  const createdAgo = async (editId: string, ageMs: number) => {
    await env.DB.prepare("UPDATE edits SET created_at = ? WHERE id = ?")
      .bind(Date.now() - ageMs, editId)
      .run();
  };

  it("frees a key 24 hours after it created its edit: another body makes a new edit", async () => {
    const customer = await createCustomer("idem-expired");
    const image = await uploadPng(customer.key, 160, 120);
    const first = await submit(customer.key, drag(image), "expiring-1");
    await createdAgo(first.body.id, idempotencyKeyTtlMs + 1000);

    const second = await submit(customer.key, { ...drag(image), prompt: "a dog" }, "expiring-1");
    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect((await ledgerTotals(customer.account.id)).kinds).toEqual({ grant: 1, hold: 2 });
    expect((await getEdit(customer.key, first.body.id)).status).toBe(200);

    // The key now belongs to the new edit: the first body is the different one, and its retry replays the new edit.
    const conflict = await submit(customer.key, drag(image), "expiring-1");
    expect(expectProblem(conflict, 409, "idempotency_conflict").detail).toContain(second.body.id);
    const retry = await submit(customer.key, { ...drag(image), prompt: "a dog" }, "expiring-1");
    expect(retry.body.id).toBe(second.body.id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("makes one new edit for concurrent reuses of an expired key", async () => {
    const customer = await createCustomer("idem-expired-race");
    const image = await uploadPng(customer.key, 160, 120);
    const first = await submit(customer.key, drag(image), "expired-race-1");
    await createdAgo(first.body.id, idempotencyKeyTtlMs + 1000);
    const body = { ...drag(image), prompt: "a dog" };
    const replies = await Promise.all(Array.from({ length: 6 }, () => submit(customer.key, body, "expired-race-1")));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(202));
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(ids.has(first.body.id)).toBe(false);
    expect((await ledgerTotals(customer.account.id)).kinds).toEqual({ grant: 1, hold: 2 });
  });

  it("keeps a key bound until its 24 hours are over", async () => {
    const customer = await createCustomer("idem-unexpired");
    const image = await uploadPng(customer.key, 160, 120);
    const first = await submit(customer.key, drag(image), "nearly-expired-1");
    await createdAgo(first.body.id, idempotencyKeyTtlMs - 60_000);

    const conflict = await submit(customer.key, { ...drag(image), prompt: "a dog" }, "nearly-expired-1");
    expect(expectProblem(conflict, 409, "idempotency_conflict").detail).toContain(first.body.id);
    const retry = await submit(customer.key, drag(image), "nearly-expired-1");
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await ledgerTotals(customer.account.id)).kinds).toEqual({ grant: 1, hold: 1 });
  });

  it("creates one edit for concurrent requests with the same key", async () => {
    const customer = await createCustomer("idem-race");
    const image = await uploadPng(customer.key, 160, 120);
    const replies = await Promise.all(Array.from({ length: 8 }, () => submit(customer.key, drag(image), "race-1")));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(202));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect((await ledgerTotals(customer.account.id)).kinds).toEqual({ grant: 1, hold: 1 });
  });

  it("scopes keys to the account: another account's same key makes its own edit", async () => {
    const a = await createCustomer("idem-a");
    const b = await createCustomer("idem-b");
    const [imageA, imageB] = await Promise.all([uploadPng(a.key, 160, 120), uploadPng(b.key, 160, 120)]);
    const fromA = await submit(a.key, drag(imageA), "shared-key");
    const fromB = await submit(b.key, drag(imageB), "shared-key");
    expect(fromB.status).toBe(202);
    expect(fromB.body.id).not.toBe(fromA.body.id);
  });
});

describe("GET /v1/edits", () => {
  it("lists the account's edits newest first, a page at a time", async () => {
    const customer = await createCustomer("list-pages");
    const image = await uploadPng(customer.key, 160, 120);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submitAccepted(customer.key, img2img(image, 0.1 + i / 10))).id);
    // Newest first by creation time; edits created in the same millisecond follow in descending id order.
    const rows = await env.DB.prepare("SELECT id FROM edits WHERE account_id = ? ORDER BY created_at DESC, id DESC")
      .bind(customer.account.id)
      .all<{ id: string }>();
    const newestFirst = rows.results.map((r) => r.id);
    expect([...newestFirst].sort()).toEqual([...ids].sort());

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${cursor}`;
      const page: EditList = (await call<EditList>("GET", `/v1/edits${query}`, { token: customer.key })).body;
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);
    const created = await Promise.all(
      seen.map(async (id) => Date.parse((await getEdit(customer.key, id)).body.created_at)),
    );
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it("filters by status", async () => {
    const customer = await createCustomer("list-status");
    const image = await uploadPng(customer.key, 160, 120);
    const kept = await submitAccepted(customer.key, img2img(image));
    const canceled = await submitAccepted(customer.key, img2img(image, 0.9));
    await cancel(customer.key, canceled.id);
    const queued = await call<EditList>("GET", "/v1/edits?status=queued", { token: customer.key });
    const gone = await call<EditList>("GET", "/v1/edits?status=canceled", { token: customer.key });
    expect(queued.body.data.map((e) => e.id)).toEqual([kept.id]);
    expect(gone.body.data.map((e) => e.id)).toEqual([canceled.id]);
  });

  it.each([
    ["a cursor it did not issue", "?cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["a limit over 100", "?limit=101", "limit"],
    ["an unknown status", "?status=paused", "status"],
  ])("answers 422 for %s", async (_, query, path) => {
    const customer = await createCustomer(`list-invalid-${path}`);
    const problem = expectProblem(
      await call("GET", `/v1/edits${query}`, { token: customer.key }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.[0]?.path).toBe(path);
  });
});

describe("POST /v1/edits/{id}/cancel", () => {
  it("cancels a queued edit once: released, off the queue, not charged", async () => {
    const customer = await createCustomer("cancel-queued");
    const image = await uploadPng(customer.key, 160, 120);
    const start = await ledgerTotals(customer.account.id);
    const edit = await submitAccepted(customer.key, drag(image));

    const first = await cancel(customer.key, edit.id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: edit.id, status: "canceled", charged: 0 });
    expect(first.body.finished_at).not.toBeNull();
    expect(await queuedEditIds()).not.toContain(edit.id);

    const again = await cancel(customer.key, edit.id);
    expect(again.body).toEqual(first.body);
    expect(await ledgerTotals(customer.account.id)).toMatchObject({
      balance: start.balance,
      held: 0,
      kinds: { grant: 1, hold: 1, release: 1 },
    });
  });

  it("leaves a finished edit as it is", async () => {
    const customer = await createCustomer("cancel-finished");
    const image = await uploadPng(customer.key, 160, 120);
    const edit = await submitAccepted(customer.key, img2img(image));
    await settleEdit(env.DB, { editId: edit.id, status: "succeeded", nowMs: Date.now() });
    const reply = await cancel(customer.key, edit.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "succeeded", charged: edit.price });
  });

  it("answers 404 for an edit that does not exist", async () => {
    const customer = await createCustomer("cancel-missing");
    expectProblem(await cancel(customer.key, "ed_00000000000000000000"), 404, "not_found");
  });
});

describe("GET /v1/edits/{id}", () => {
  it("shows a succeeded edit's output through a fresh presigned GET that downloads it", async () => {
    const customer = await createCustomer("edit-output");
    const image = await uploadPng(customer.key, 160, 120);
    const edit = await submitAccepted(customer.key, img2img(image));
    const key = `accounts/${customer.account.id}/outputs/${edit.id}.png`;
    const bytes = new TextEncoder().encode("the edited image");
    const s3 = new AwsClient({
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      service: "s3",
      region: env.S3_REGION,
    });
    expect((await s3.fetch(`${env.S3_ENDPOINT}/${env.S3_BUCKET}/${key}`, { method: "PUT", body: bytes })).status).toBe(
      200,
    );
    const output = { key, width: 160, height: 120, sha256: "a".repeat(64), content_type: "image/png" };
    await settleEdit(env.DB, {
      editId: edit.id,
      status: "succeeded",
      outputJson: JSON.stringify(output),
      nowMs: Date.now(),
    });

    const view = (await getEdit(customer.key, edit.id)).body;
    expect(view).toMatchObject({ status: "succeeded", charged: edit.price, progress: { step: 5, total: 5 } });
    expect(view.output).toMatchObject({ width: 160, height: 120, sha256: "a".repeat(64), content_type: "image/png" });
    const check = await checkPresignedUrl("GET", view.output!.url, {}, env.S3_SECRET_ACCESS_KEY);
    expect(check).toMatchObject({ valid: true, signedHeaders: ["host"], expiresSeconds: 3600 });
    const downloaded = await fetch(view.output!.url);
    expect(new Uint8Array(await downloaded.arrayBuffer())).toEqual(bytes);
  });

  it("answers 404, never 403, for an unknown id", async () => {
    const customer = await createCustomer("edit-unknown");
    expectProblem(await getEdit(customer.key, "ed_00000000000000000000"), 404, "not_found");
  });

  it("answers 404 for an id of any shape on every route that names an edit", async () => {
    const customer = await createCustomer("edit-any-shape");
    const ids = [
      "not-an-id",
      "ed_short",
      `ed_${"x".repeat(41)}`,
      "x".repeat(300),
      "%C3%A9dit%20",
      "acct_00000000000000000000",
    ];
    for (const id of ids) {
      for (const [method, path] of [
        ["GET", `/v1/edits/${id}`],
        ["POST", `/v1/edits/${id}/cancel`],
        ["GET", `/v1/edits/${id}/events`],
        ["GET", `/v1/edits/${id}/deliveries`],
        ["GET", `/v1/edits/${id}/output`],
        ["DELETE", `/v1/edits/${id}/output`],
      ] as const) {
        const problem = expectProblem(await call(method, path, { token: customer.key }), 404, "not_found");
        expect(problem.detail).toBe(`edit ${decodeURIComponent(id)} does not exist`);
      }
    }
  });
});

describe("tenant isolation", () => {
  it("never shows, lists or cancels another account's edit", async () => {
    const owner = await createCustomer("tenant-owner");
    const intruder = await createCustomer("tenant-intruder");
    const image = await uploadPng(owner.key, 160, 120);
    const edit = await submitAccepted(owner.key, drag(image));

    const seen = expectProblem(await getEdit(intruder.key, edit.id), 404, "not_found");
    const missing = expectProblem(await getEdit(intruder.key, "ed_00000000000000000000"), 404, "not_found");
    expect(seen.detail.replace(edit.id, "")).toBe(missing.detail.replace("ed_00000000000000000000", ""));
    expectProblem(await cancel(intruder.key, edit.id), 404, "not_found");
    const listed = await call<EditList>("GET", "/v1/edits", { token: intruder.key });
    expect(listed.body.data).toEqual([]);
    expect((await getEdit(owner.key, edit.id)).body.status).toBe("queued");

    const borrowed = await submit(intruder.key, drag(image));
    expect(expectProblem(borrowed, 422, "validation_failed").errors?.[0]?.path).toBe("image");
    expect((await ledgerTotals(intruder.account.id)).held).toBe(0);
  });
});
