import { afterEach, describe, expect, it, vi } from "vitest";
import { StocheditClient } from "./client.js";
import { ApiError, HttpError, NetworkError, UnexpectedResponseError } from "./errors.js";
import { apiBase, editId, editOf, fakeFetch, type Handler, json, problem, uploadId } from "./testing/fake-api.js";

const key = `sk_test_${"a".repeat(16)}_${"b".repeat(32)}`;
const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
const storageUrl = "https://bucket.storage.test/accounts/a/uploads/up?X-Amz-Signature=abc";

function clientWith(handler: Handler, retry = { baseDelayMs: 1 }) {
  const api = fakeFetch(handler);
  return { api, client: new StocheditClient({ apiKey: key, baseUrl: `${apiBase}/`, fetch: api.fetch, retry }) };
}

const accepted = {
  id: editId,
  status: "queued",
  price: 34_200,
  livemode: true,
  created_at: "2026-01-01T00:00:00.000Z",
  links: editOf().links,
};

afterEach(() => {
  vi.useRealTimers();
});

describe("upload", () => {
  it("asks for a signed URL for the type and size, then PUTs the bytes with the signed headers", async () => {
    const { api, client } = clientWith((request) => {
      if (request.route === "POST /v1/uploads") {
        return json({
          upload_id: uploadId,
          url: storageUrl,
          method: "PUT",
          headers: { "content-type": "image/jpeg", "content-length": String(jpeg.length) },
          expires_at: "2026-01-01T00:15:00.000Z",
        });
      }
      return new Response(null, { status: 200 });
    });
    expect(await client.upload(jpeg)).toBe(uploadId);
    const [post] = api.to("POST /v1/uploads");
    expect(post!.headers.get("authorization")).toBe(`Bearer ${key}`);
    expect(JSON.parse(new TextDecoder().decode(post!.body))).toEqual({
      content_type: "image/jpeg",
      content_length: jpeg.length,
    });
    const [put] = api.to("PUT bucket.storage.test");
    expect(put!.url).toBe(storageUrl);
    expect(put!.body).toEqual(jpeg);
    expect(put!.headers.get("content-type")).toBe("image/jpeg");
    // The key never goes to storage, and the length is the body's own (browsers refuse a script's).
    expect(put!.headers.get("authorization")).toBeNull();
    expect(put!.headers.get("content-length")).toBeNull();
  });

  it("keeps S3's own words when storage refuses the PUT", async () => {
    const { client } = clientWith((request) =>
      request.route === "POST /v1/uploads"
        ? json({ upload_id: uploadId, url: storageUrl, method: "PUT", headers: {}, expires_at: "2026-01-01T00:15:00Z" })
        : new Response("<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>", { status: 403 }),
    );
    const error = await client.upload(jpeg).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 403, retryable: false, request: "PUT bucket.storage.test" });
    expect((error as Error).message).toContain("SignatureDoesNotMatch: no");
  });

  it("retries the upload request after a 429 but not after a 503, which it cannot know did nothing", async () => {
    let calls = 0;
    const { api, client } = clientWith(() =>
      ++calls === 1 ? problem(429, "rate_limited") : problem(503, "unavailable"),
    );
    const error = await client.upload(jpeg).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "unavailable", status: 503 });
    expect(api.to("POST /v1/uploads")).toHaveLength(2);
  });
});

describe("createEdit", () => {
  it("sends a generated Idempotency-Key and sends the same one on each of its retries", async () => {
    let calls = 0;
    const { api, client } = clientWith(() => (++calls < 3 ? problem(503, "unavailable") : json(accepted, 202)));
    const body = { task: "img2img", image: uploadId, strength: 0.5 } as const;
    expect(await client.createEdit(body)).toEqual(accepted);
    const keys = api.to("POST /v1/edits").map((r) => r.headers.get("idempotency-key"));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^idem_[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(1);
    await client.createEdit(body);
    expect(api.to("POST /v1/edits")[3]!.headers.get("idempotency-key")).not.toBe(keys[0]);
  });

  it("retries a lost answer with the same key, and uses the caller's key when given", async () => {
    let calls = 0;
    const { api, client } = clientWith(() => {
      if (++calls === 1) throw new TypeError("fetch failed");
      return json(accepted, 202);
    });
    await client.createEdit({ task: "img2img", image: uploadId, strength: 0.5 }, { idempotencyKey: "order-17" });
    expect(api.to("POST /v1/edits").map((r) => r.headers.get("idempotency-key"))).toEqual(["order-17", "order-17"]);
  });

  it("waits as long as Retry-After asks before trying again", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const { api, client } = clientWith(() =>
      ++calls === 1 ? problem(429, "rate_limited", { headers: { "retry-after": "2" } }) : json(accepted, 202),
    );
    const submitted = client.createEdit({ task: "img2img", image: uploadId, strength: 0.5 });
    await vi.advanceTimersByTimeAsync(1_990);
    expect(api.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(api.requests).toHaveLength(2);
    await expect(submitted).resolves.toEqual(accepted);
  });

  it("gives up after maxRetries and when Retry-After is longer than it would wait, saying how long", async () => {
    const { api, client } = clientWith(() => problem(429, "rate_limited", { headers: { "retry-after": "3600" } }));
    const error = await client.getEdit(editId).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limited", retryAfterMs: 3_600_000, retryable: true });
    expect(api.requests).toHaveLength(1);

    const always503 = clientWith(() => problem(503, "unavailable"));
    await expect(always503.client.getEdit(editId)).rejects.toBeInstanceOf(ApiError);
    expect(always503.api.requests).toHaveLength(4);
  });
});

describe("typed errors", () => {
  it("carry the problem's code, field errors, request id and retryable", async () => {
    const { client } = clientWith(() =>
      problem(422, "validation_failed", { errors: [{ path: "points.0.from", message: "lies outside" }] }),
    );
    const error = await client
      .quote({ task: "drag", image: uploadId, points: [{ from: [900, 1], to: [1, 1] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      code: "validation_failed",
      title: "the validation_failed title",
      detail: "the validation_failed detail",
      fieldErrors: [{ path: "points.0.from", message: "lies outside" }],
      requestId: "req_validation_failed",
      retryable: false,
      request: "POST /v1/quote",
    });
  });

  it("reads a problem of a code newer than this client rather than failing on it", async () => {
    const { client } = clientWith(
      () =>
        new Response(JSON.stringify({ code: "account_frozen", title: "Frozen", status: 403, detail: "ask support" }), {
          status: 403,
          headers: { "content-type": "application/problem+json", "x-request-id": "req_9" },
        }),
    );
    await expect(client.account()).rejects.toMatchObject({
      code: "account_frozen",
      detail: "ask support",
      requestId: "req_9",
      retryable: false,
    });
  });

  it("tells an answer off the schema, and a proxy's error page, from the API's problems", async () => {
    const bad = clientWith(() => json({ ...editOf(), status: "paused" }));
    const off = await bad.client.getEdit(editId).catch((e: unknown) => e);
    expect(off).toBeInstanceOf(UnexpectedResponseError);
    expect((off as UnexpectedResponseError).issues.join()).toContain("status");
    expect(off).toMatchObject({ requestId: "req_ok", retryable: false });

    const proxy = clientWith(() => new Response("<html>Bad gateway</html>", { status: 502 }), { baseDelayMs: 1 });
    await expect(proxy.client.getEdit(editId)).rejects.toMatchObject({ name: "HttpError", status: 502 });
    expect(proxy.api.requests).toHaveLength(4);
  });

  it("says when nothing answered, after retrying a read", async () => {
    const { api, client } = clientWith(() => {
      throw new TypeError("getaddrinfo ENOTFOUND api.test");
    });
    const error = await client.getEdit(editId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ retryable: true, request: `GET /v1/edits/${editId}` });
    expect(api.requests).toHaveLength(4);
  });

  it("stops at once when the signal aborts, also during a retry's wait", async () => {
    const { api, client } = clientWith(() => problem(503, "unavailable"), { baseDelayMs: 60_000 });
    const controller = new AbortController();
    const read = client.getEdit(editId, { signal: controller.signal });
    await vi.waitUntil(() => api.requests.length === 1);
    controller.abort(new Error("left the screen"));
    await expect(read).rejects.toThrow("left the screen");
  });
});

describe("reads and lists", () => {
  it("lists every edit across pages, passing each next_cursor on", async () => {
    const ids = ["ed_AAAAAAAAAAAAAAAA1", "ed_AAAAAAAAAAAAAAAA2", "ed_AAAAAAAAAAAAAAAA3"];
    const { api, client } = clientWith((request) => {
      const cursor = new URL(request.url).searchParams.get("cursor");
      const page = cursor === null ? [ids[0], ids[1]] : [ids[2]];
      return json({ data: page.map((id) => editOf({ id })), next_cursor: cursor === null ? "c2" : null });
    });
    const seen: string[] = [];
    for await (const edit of client.listEdits({ status: "succeeded", limit: 2 })) seen.push(edit.id);
    expect(seen).toEqual(ids);
    expect(api.requests.map((r) => new URL(r.url).search)).toEqual([
      "?status=succeeded&limit=2",
      "?status=succeeded&limit=2&cursor=c2",
    ]);
  });

  it("asks for the key on every call, so a key entered later is used", async () => {
    let current = "";
    const api = fakeFetch(() => json(editOf()));
    const client = new StocheditClient({ apiKey: () => current, baseUrl: apiBase, fetch: api.fetch });
    current = key;
    await client.getEdit(editId);
    expect(api.requests[0]!.headers.get("authorization")).toBe(`Bearer ${key}`);
  });

  it("cancels through the cancel route and returns the edit as it is afterwards", async () => {
    const { api, client } = clientWith(() => json(editOf({ status: "canceled" })));
    expect((await client.cancel(editId)).status).toBe("canceled");
    expect(api.requests.map((r) => r.route)).toEqual([`POST /v1/edits/${editId}/cancel`]);
  });
});
