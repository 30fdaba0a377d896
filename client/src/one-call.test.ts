import { describe, expect, it } from "vitest";
import { StocheditClient } from "./client.js";
import type { Edit } from "./schemas.js";
import { apiBase, editId, editOf, fakeFetch, type Handler, json } from "./testing/fake-api.js";

const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9]);
const uploadIds = ["up_IMAGEimageIMAGE01", "up_MASKmaskMASKmask01"];

/** Uploads, submissions and reads of a fake API whose edit reads `states` in turn (polling: no stream). */
function fakeService(states: Edit["status"][]) {
  let uploads = 0;
  const handler: Handler = (request) => {
    if (request.route === "POST /v1/uploads") {
      return json({
        upload_id: uploadIds[uploads++],
        url: `https://bucket.storage.test/${uploads}`,
        method: "PUT",
        headers: {},
        expires_at: "2999-01-01T00:00:00Z",
      });
    }
    if (request.route.startsWith("PUT ")) return new Response(null);
    if (request.route === "POST /v1/edits") {
      return json({
        id: editId,
        status: "queued",
        price: 1,
        livemode: true,
        created_at: "2026-01-01T00:00:00Z",
        links: editOf().links,
      });
    }
    if (request.route === `POST /v1/edits/${editId}/cancel`) return json(editOf({ status: "canceled" }));
    return json(editOf({ status: states.length > 1 ? states.shift()! : states[0]! }));
  };
  const api = fakeFetch(handler);
  const client = new StocheditClient({ apiKey: "k", baseUrl: apiBase, fetch: api.fetch, streamEvents: false });
  const submitted = () => JSON.parse(new TextDecoder().decode(api.to("POST /v1/edits")[0]!.body));
  return { api, client, submitted };
}

describe("the one-call helpers", () => {
  it("drag uploads the image and the mask, submits the points with them and resolves once it succeeded", async () => {
    const { api, client, submitted } = fakeService(["queued", "running", "succeeded"]);
    const updates: string[] = [];
    const edit = await client.drag({
      image: jpeg,
      mask: png,
      points: [{ from: [10, 20], to: [30, 20] }],
      prompt: "a cat",
      seed: 7,
      onProgress: (u) => updates.push(u.status),
      pollIntervalMs: 1,
    });
    expect(edit.status).toBe("succeeded");
    expect(updates).toEqual(["queued", "running", "succeeded"]);
    const uploadTypes = api
      .to("POST /v1/uploads")
      .map((r) => JSON.parse(new TextDecoder().decode(r.body)).content_type);
    expect(uploadTypes).toEqual(["image/jpeg", "image/png"]);
    expect(submitted()).toEqual({
      task: "drag",
      image: uploadIds[0],
      mask: uploadIds[1],
      points: [{ from: [10, 20], to: [30, 20] }],
      prompt: "a cat",
      seed: 7,
    });
  });

  it("inpaint and img2img take earlier uploads by id, and the caller's Idempotency-Key", async () => {
    const inpaint = fakeService(["succeeded"]);
    await inpaint.client.inpaint({ image: uploadIds[0]!, mask: uploadIds[1]!, steps: 10, idempotencyKey: "k-1" });
    expect(inpaint.api.to("POST /v1/uploads")).toHaveLength(0);
    expect(inpaint.submitted()).toEqual({ task: "inpaint", image: uploadIds[0], mask: uploadIds[1], steps: 10 });
    expect(inpaint.api.to("POST /v1/edits")[0]!.headers.get("idempotency-key")).toBe("k-1");

    const img2img = fakeService(["succeeded"]);
    await img2img.client.img2img({ image: new Blob([jpeg], { type: "image/jpeg" }), strength: 0.4 });
    expect(img2img.submitted()).toEqual({ task: "img2img", image: uploadIds[0], strength: 0.4 });
  });

  it("rejects with the failure, and cancels the edit when the caller stops waiting", async () => {
    const failing = fakeService(["failed"]);
    await expect(failing.client.img2img({ image: jpeg, strength: 0.4 })).rejects.toMatchObject({
      name: "EditFailedError",
      status: "failed",
    });

    const running = fakeService(["running"]);
    const controller = new AbortController();
    const waiting = running.client.img2img({
      image: jpeg,
      strength: 0.4,
      signal: controller.signal,
      pollIntervalMs: 5,
      onProgress: (u) => u.status === "running" && controller.abort(new Error("user left")),
    });
    await expect(waiting).rejects.toThrow("user left");
    expect(running.api.to(`POST /v1/edits/${editId}/cancel`)).toHaveLength(1);
  });
});
