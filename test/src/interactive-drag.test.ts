/** The drag as a gesture, end to end on the local stack: a chain of three drags, a price cap, deleting an output. */
import type { Edit, Problem } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { isTerminalEdit, waitForEdit } from "./support/edit-status.js";
import { printLogsOnFailure } from "./support/failure-logs.js";
import { fastEdgeVars } from "./support/fast-edge.js";
import { ApiClient } from "./support/public-api.js";
import { samplePhoto } from "./support/sample-images.js";
import { cancelUnfinishedEdits } from "./support/test-isolation.js";

let stack: E2eStack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startE2eStack({ edgeVars: fastEdgeVars });
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
  await stack.startRunner("runner-chain");
});
printLogsOnFailure(() => stack);
afterEach(() => cancelUnfinishedEdits(api));
afterAll(() => stack?.stop());

const drag = (image: string, from: [number, number], to: [number, number]) => ({
  task: "drag" as const,
  image,
  points: [{ from, to }],
  steps: 20,
});

/** A call whose answer may be a problem: status and parsed body, nothing thrown. */
async function raw<T>(method: string, path: string, body?: unknown, redirect: "follow" | "manual" = "follow") {
  const response = await fetch(`${stack.edgeUrl}${path}`, {
    method,
    redirect,
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}

describe("a drag, then another on its result, then another", () => {
  it("runs each on its parent's output without a new upload, and shows the chain", async () => {
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    const ids: string[] = [];
    let source = image;
    for (const [from, to] of [
      [
        [30, 40],
        [40, 40],
      ],
      [
        [40, 40],
        [50, 44],
      ],
      [
        [50, 44],
        [56, 50],
      ],
    ] as [[number, number], [number, number]][]) {
      const accepted = await api.submit(drag(source, from, to));
      const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
      expect(edit).toMatchObject({ status: "succeeded", parent_id: ids.at(-1) ?? null, charged: accepted.price });
      const output = new Uint8Array(await (await fetch(edit.output!.url)).arrayBuffer());
      expect(await sharp(output).metadata()).toMatchObject({ width: 96, height: 96 });
      ids.push(accepted.id);
      source = accepted.id;
    }
    expect((await api.edit(ids[2]!)).chain).toEqual([ids[0], ids[1]]);
  });
});

describe("max_price", () => {
  it("refuses a drag priced above it with the quote, holding nothing; at the price it runs", async () => {
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    const request = drag(image, [30, 40], [40, 40]);
    const quote = await api.quote(request);
    const before = await api.account();
    const refused = await raw<Problem>("POST", "/v1/edits", { ...request, max_price: quote.price - 1 });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "price_above_max", quote: { price: quote.price } });
    expect(await api.account()).toMatchObject({ balance: before.balance, held: before.held });
    const accepted = await api.submit({ ...request, max_price: quote.price });
    expect(await waitForEdit(api, accepted.id, isTerminalEdit)).toMatchObject({ status: "succeeded" });
  });
});

describe("deleting an output", () => {
  it("deletes the pixels now: the output URL stops working and the output answers 410; the charge stays", async () => {
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    const accepted = await api.submit({ ...drag(image, [30, 40], [40, 40]), retention_seconds: 3600 });
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit.purge_at).not.toBeNull();
    const redirect = await raw("GET", `/v1/edits/${accepted.id}/output`, undefined, "manual");
    expect(redirect.status).toBe(302);
    expect((await fetch(redirect.headers.get("location")!)).status).toBe(200);

    const deleted = await raw<Edit>("DELETE", `/v1/edits/${accepted.id}/output`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: "succeeded", charged: accepted.price, purged_at: expect.any(String) });
    expect((await fetch(edit.output!.url)).status).toBe(404);
    const gone = await raw<Problem>("GET", `/v1/edits/${accepted.id}/output`);
    expect(gone).toMatchObject({ status: 410, body: { code: "gone" } });
  });
});
