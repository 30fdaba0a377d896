import { describe, expect, it } from "vitest";
import { StocheditClient } from "./client.js";
import { ApiError, EditFailedError } from "./errors.js";
import type { Edit } from "./schemas.js";
import {
  apiBase,
  editId,
  editOf,
  fakeFetch,
  type Handler,
  json,
  problem,
  sseBody,
  sseEvent,
  sseResponse,
} from "./testing/fake-api.js";
import type { EditUpdate } from "./wait-for-edit.js";

const key = `sk_live_${"a".repeat(16)}_${"b".repeat(32)}`;
const eventsRoute = `GET /v1/edits/${editId}/events`;
const editRoute = `GET /v1/edits/${editId}`;
const succeeded = editOf({
  status: "succeeded",
  progress: { step: 3, total: 3 },
  charged: 34_200,
  output: {
    url: "https://bucket.storage.test/out.png",
    expires_at: "2999-01-01T00:00:00.000Z",
    width: 96,
    height: 96,
    sha256: "0".repeat(64),
    content_type: "image/png",
  },
});

function clientWith(handler: Handler, streamEvents = true) {
  const api = fakeFetch(handler);
  const client = new StocheditClient({
    apiKey: key,
    baseUrl: apiBase,
    fetch: api.fetch,
    streamEvents,
    retry: { baseDelayMs: 1 },
  });
  return { api, client };
}

interface Waited {
  edit?: Edit;
  error?: unknown;
  updates: Omit<EditUpdate, "id">[];
}

async function waitRecording(client: StocheditClient, pollIntervalMs = 5): Promise<Waited> {
  const updates: Omit<EditUpdate, "id">[] = [];
  const outcome = await client
    .wait(editId, { onProgress: ({ id: _, ...update }) => updates.push(update), pollIntervalMs })
    .then(
      (edit): Omit<Waited, "updates"> => ({ edit }),
      (error: unknown): Omit<Waited, "updates"> => ({ error }),
    );
  return { ...outcome, updates };
}

describe("wait", () => {
  it("reads the event stream with the key, reports each change and resolves with the edit as GET has it", async () => {
    const { api, client } = clientWith((request) => {
      if (request.route === eventsRoute) {
        return sseResponse(
          sseBody([
            sseEvent({ type: "status", status: "queued" }),
            ": keep-alive\n\n",
            sseEvent({ type: "status", status: "running" }),
            sseEvent({ type: "progress", step: 1, total: 3 }),
            sseEvent({ type: "progress", step: 3, total: 3 }),
            sseEvent({ type: "status", status: "succeeded" }),
          ]),
        );
      }
      return json(succeeded);
    });
    const { edit, updates } = await waitRecording(client);
    expect(edit).toEqual(succeeded);
    expect(updates).toEqual([
      { status: "queued", step: 0, total: 0, fraction: 0 },
      { status: "running", step: 0, total: 0, fraction: 0 },
      { status: "running", step: 1, total: 3, fraction: 1 / 3 },
      { status: "running", step: 3, total: 3, fraction: 1 },
      { status: "succeeded", step: 3, total: 3, fraction: 1 },
    ]);
    const [events] = api.to(eventsRoute);
    expect(events!.headers.get("authorization")).toBe(`Bearer ${key}`);
    expect(events!.headers.get("accept")).toBe("text/event-stream");
    expect(api.requests.map((r) => r.route)).toEqual([eventsRoute, editRoute]);
  });

  it("reopens a stream that ended or broke before the edit did, and goes on from there", async () => {
    let streams = 0;
    const { api, client } = clientWith((request) => {
      if (request.route === editRoute) {
        return json(streams < 3 ? editOf({ status: "running", progress: { step: 1, total: 3 } }) : succeeded);
      }
      streams++;
      if (streams === 1) return sseResponse(sseBody([sseEvent({ type: "progress", step: 1, total: 3 })]));
      if (streams === 2) {
        return sseResponse(sseBody([sseEvent({ type: "progress", step: 2, total: 3 })], new TypeError("terminated")));
      }
      return sseResponse(
        sseBody([sseEvent({ type: "progress", step: 3, total: 3 }), sseEvent({ type: "status", status: "succeeded" })]),
      );
    });
    const { edit, updates } = await waitRecording(client);
    expect(edit?.status).toBe("succeeded");
    expect(api.to(eventsRoute)).toHaveLength(3);
    // The edit as read between streams is reported too (here it lags behind the stream, as a stale read may).
    expect(updates.map((u) => `${u.status} ${u.step}`)).toEqual([
      "running 1",
      "running 2",
      "running 1",
      "running 3",
      "succeeded 3",
    ]);
  });

  it("waits through a 503 on connecting and a lost answer while reading the edit", async () => {
    let calls = 0;
    const { client } = clientWith((request) => {
      calls++;
      if (request.route === eventsRoute) return problem(503, "unavailable");
      if (calls < 6) throw new TypeError("network down");
      return json(succeeded);
    }, true);
    const { edit } = await waitRecording(client);
    expect(edit?.status).toBe("succeeded");
  });

  it("polls the edit where the fetch cannot stream bodies (React Native)", async () => {
    const seen: Edit[] = [
      editOf({ status: "queued" }),
      editOf({ status: "running", progress: { step: 2, total: 4 } }),
      editOf({ status: "running", progress: { step: 2, total: 4 } }),
      succeeded,
    ];
    const { api, client } = clientWith(() => json(seen.shift() ?? succeeded), false);
    const { edit, updates } = await waitRecording(client);
    expect(edit).toEqual(succeeded);
    expect(api.requests.every((r) => r.route === editRoute)).toBe(true);
    expect(api.requests).toHaveLength(4);
    expect(updates.map((u) => `${u.status} ${u.step}/${u.total}`)).toEqual([
      "queued 0/0",
      "running 2/4",
      "succeeded 3/3",
    ]);
  });

  it("falls back to polling when a streaming answer comes without a readable body", async () => {
    const { api, client } = clientWith((request) =>
      request.route === eventsRoute
        ? ({ ok: true, status: 200, headers: new Headers(), body: undefined } as unknown as Response)
        : json(succeeded),
    );
    expect((await waitRecording(client)).edit).toEqual(succeeded);
    expect(api.to(eventsRoute)).toHaveLength(1);
  });

  it("rejects with the edit's failure: its job error's code, or the status it ended in", async () => {
    const failed = editOf({
      status: "failed",
      error: { code: "image_invalid", message: "the image could not be decoded", retryable: false },
    });
    const failing = clientWith((request) =>
      request.route === eventsRoute
        ? sseResponse(sseBody([sseEvent({ type: "status", status: "failed" })]))
        : json(failed),
    );
    const { error } = await waitRecording(failing.client);
    expect(error).toBeInstanceOf(EditFailedError);
    expect(error).toMatchObject({ code: "image_invalid", status: "failed", retryable: false, edit: failed });

    const canceled = clientWith(() => json(editOf({ status: "canceled" })), false);
    expect((await waitRecording(canceled.client)).error).toMatchObject({ code: "canceled", status: "canceled" });
  });

  it("rejects at once for an edit that does not exist, and on abort", async () => {
    const missing = clientWith(() => problem(404, "not_found"));
    const { error } = await waitRecording(missing.client);
    expect(error).toBeInstanceOf(ApiError);
    expect(missing.api.requests).toHaveLength(1);

    const running = clientWith(() => json(editOf({ status: "running" })), false);
    const controller = new AbortController();
    const waiting = running.client.wait(editId, { signal: controller.signal, pollIntervalMs: 10 });
    setTimeout(() => controller.abort(new Error("gave up")), 30);
    await expect(waiting).rejects.toThrow("gave up");
  });
});
