/**
 * @stochedit/client against the real local stack (s3rver, wrangler dev, a runner process on the tiny model), as an
 * app and its backend use it: uploads, every task through the one-call helpers with progress, polling, cancel,
 * typed errors, idempotency, listing, downloads and webhook verification; and test mode (sk_test_ keys, served by a
 * runner of the test model) kept apart from live data.
 */
import { createHash } from "node:crypto";
import {
  ApiError,
  EditFailedError,
  type EditUpdate,
  encodeMaskPng,
  StocheditClient,
  verifyWebhook,
  WebhookVerificationError,
} from "@stochedit/client";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testModelName, testModelRunnerEnv } from "../../scripts/local-stack/test-model-runner.js";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { printLogsOnFailure } from "./support/failure-logs.js";
import { fastEdgeVars } from "./support/fast-edge.js";
import { ApiClient } from "./support/public-api.js";
import { samplePhoto } from "./support/sample-images.js";
import { cancelUnfinishedEdits } from "./support/test-isolation.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

let stack: E2eStack;
let client: StocheditClient;
let testClient: StocheditClient;
let api: ApiClient;
let receiver: WebhookReceiver;
let secret: string;

beforeAll(async () => {
  // Progress reaches D1 and the event stream often enough that a short edit shows steps between start and end.
  stack = await startE2eStack({ edgeVars: { ...fastEdgeVars, PROGRESS_WRITE_MIN_MS: "50", SSE_POLL_MS: "50" } });
  client = new StocheditClient({ apiKey: stack.apiKey, baseUrl: stack.edgeUrl });
  testClient = new StocheditClient({ apiKey: stack.testApiKey, baseUrl: stack.edgeUrl });
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
  secret = await client.webhookSecret();
  receiver = await startWebhookReceiver(secret);
  await Promise.all([
    stack.startRunner("runner-a"),
    testModelRunnerEnv().then((env) => stack.startRunner("runner-test-model", env)),
  ]);
});
printLogsOnFailure(() => stack);
afterEach(async () => {
  await cancelUnfinishedEdits(api);
  await cancelUnfinishedEdits(new ApiClient(stack.edgeUrl, stack.testApiKey));
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

/** Everything `onProgress` heard, and a check that it only ever moved forward. */
function progressLog() {
  const updates: EditUpdate[] = [];
  const order = ["queued", "running", "succeeded", "failed", "canceled", "expired"];
  return {
    updates,
    onProgress: (update: EditUpdate) => updates.push(update),
    expectForwardOnly() {
      for (const [previous, next] of updates.slice(1).map((u, i) => [updates[i]!, u] as const)) {
        expect(order.indexOf(next.status)).toBeGreaterThanOrEqual(order.indexOf(previous.status));
        if (next.status === previous.status) expect(next.step).toBeGreaterThanOrEqual(previous.step);
      }
    },
  };
}

/** A one-channel mask of the photo's size: 255 in the centred square of half the side. */
function centreMaskPixels(side: number): Uint8Array {
  return Uint8Array.from({ length: side * side }, (_, i) => {
    const [x, y] = [i % side, Math.floor(i / side)];
    return x >= side / 4 && x < (3 * side) / 4 && y >= side / 4 && y < (3 * side) / 4 ? 255 : 0;
  });
}

describe("the client on the real stack", () => {
  it("drags, inpaints and img2imgs in one call each, with progress to the last step and verified downloads", async () => {
    const photo = await samplePhoto(96);
    const mask = await encodeMaskPng(centreMaskPixels(96), 96, 96);
    const image = await client.upload(photo);
    const before = await client.account();

    const runs = [
      [
        "drag",
        (log: ReturnType<typeof progressLog>) =>
          client.drag({ image, mask, points: [{ from: [30, 40], to: [50, 36] }], steps: 40, seed: 3, ...log }),
      ],
      [
        "inpaint",
        (log: ReturnType<typeof progressLog>) =>
          client.inpaint({ image: photo, mask, steps: 20, prompt: "a stone head", output_format: "webp", ...log }),
      ],
      [
        "img2img",
        (log: ReturnType<typeof progressLog>) =>
          client.img2img({ image: new Blob([photo]), strength: 0.5, steps: 20, output_format: "jpeg", ...log }),
      ],
    ] as const;
    let charged = 0;
    for (const [task, run] of runs) {
      const log = progressLog();
      const edit = await run(log);
      expect(edit).toMatchObject({ task, status: "succeeded", charged: edit.price });
      charged += edit.charged;
      log.expectForwardOnly();
      const last = log.updates.at(-1)!;
      expect(last).toMatchObject({ status: "succeeded", step: edit.progress.total, fraction: 1 });
      expect(last.total).toBeGreaterThan(0);
      expect(log.updates.some((u) => u.status === "running")).toBe(true);

      const output = await client.downloadOutput(edit);
      expect(output).toMatchObject({ verified: true, width: 96, height: 96, sha256: edit.output!.sha256 });
      expect(createHash("sha256").update(output.bytes).digest("hex")).toBe(edit.output!.sha256);
      const format = { drag: "png", inpaint: "webp", img2img: "jpeg" }[task];
      expect(await sharp(output.bytes).metadata()).toMatchObject({ format, width: 96, height: 96 });
    }
    expect(await client.account()).toMatchObject({ balance: before.balance - charged, held: 0 });
  });

  it("reports steps between the start and the end of a longer edit", async () => {
    const log = progressLog();
    const edit = await client.img2img({ image: await samplePhoto(256), strength: 1, steps: 500, ...log });
    log.expectForwardOnly();
    const running = log.updates.filter((u) => u.status === "running" && u.step > 0 && u.step < edit.progress.total);
    expect(running.length).toBeGreaterThan(0);
  });

  it("polls where streaming is off, and gets the same ending", async () => {
    const seen: string[] = [];
    const polling = new StocheditClient({
      apiKey: stack.apiKey,
      baseUrl: stack.edgeUrl,
      streamEvents: false,
      fetch: (input, init) => {
        seen.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
        return fetch(input, init);
      },
    });
    const log = progressLog();
    const edit = await polling.img2img({
      image: await samplePhoto(96),
      strength: 0.5,
      steps: 20,
      pollIntervalMs: 50,
      ...log,
    });
    expect(edit.status).toBe("succeeded");
    expect(log.updates.at(-1)).toMatchObject({ status: "succeeded", fraction: 1 });
    expect(seen.filter((s) => s.endsWith("/events"))).toEqual([]);
    expect(seen.filter((s) => s === `GET /v1/edits/${edit.id}`).length).toBeGreaterThan(1);
  });

  it("cancels a running edit: wait rejects with canceled, nothing is charged and the hold comes back", async () => {
    const before = await client.account();
    const image = await client.upload(await samplePhoto(768));
    const accepted = await client.createEdit({ task: "img2img", image, strength: 1, steps: 1000 });
    const controller = new AbortController();
    const waited = client
      .wait(accepted.id, {
        signal: controller.signal,
        onProgress: (update) => {
          if (update.status === "running" && update.step > 0) void client.cancel(accepted.id);
        },
      })
      .catch((error: unknown) => error);
    const error = await waited;
    expect(error).toBeInstanceOf(EditFailedError);
    expect(error).toMatchObject({ status: "canceled", code: "canceled", retryable: false });
    expect((error as EditFailedError).edit).toMatchObject({ id: accepted.id, charged: 0 });
    expect(await client.account()).toMatchObject({ balance: before.balance, held: 0 });
  });

  it("answers with typed errors: field errors and the request id, a missing edit, a reused key", async () => {
    const image = await client.upload(await samplePhoto(96));
    const outside = await client
      .createEdit({ task: "drag", image, points: [{ from: [30, 40], to: [500, 36] }] })
      .catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(ApiError);
    expect(outside).toMatchObject({ status: 422, code: "validation_failed", retryable: false });
    expect((outside as ApiError).fieldErrors.map((f) => f.path)).toEqual(["points.0.to"]);
    expect((outside as ApiError).requestId).toMatch(/\S/);

    await expect(client.getEdit("ed_0000000000000000")).rejects.toMatchObject({ status: 404, code: "not_found" });

    const body = { task: "img2img", image, strength: 0.5, steps: 5 } as const;
    const first = await client.createEdit(body, { idempotencyKey: "client-e2e-1" });
    expect((await client.createEdit(body, { idempotencyKey: "client-e2e-1" })).id).toBe(first.id);
    await expect(client.createEdit({ ...body, steps: 6 }, { idempotencyKey: "client-e2e-1" })).rejects.toMatchObject({
      status: 409,
      code: "idempotency_conflict",
    });
    await client.wait(first.id);
  });

  it("lists every edit across pages, newest first, and finds each one it made", async () => {
    const listed = [];
    for await (const edit of client.listEdits({ limit: 2 })) listed.push(edit);
    const created = listed.map((edit) => Date.parse(edit.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(listed.length).toBeGreaterThan(4);
    const succeeded = [];
    for await (const edit of client.listEdits({ status: "succeeded", limit: 3 })) succeeded.push(edit.id);
    expect(succeeded).toEqual(listed.filter((edit) => edit.status === "succeeded").map((edit) => edit.id));
  });

  it("verifies the webhooks the API signs, also across a secret rotation, and refuses a tampered one", async () => {
    await client.img2img({
      image: await samplePhoto(96),
      strength: 0.5,
      steps: 5,
      webhook_url: receiver.url("before"),
    });
    const delivery = await receiver.waitFor((d) => d.hook === "before");
    const payload = await verifyWebhook(delivery.body, delivery.headers, secret);
    expect(payload).toMatchObject({ type: "edit.succeeded", data: { status: "succeeded" } });
    await expect(
      verifyWebhook(delivery.body.replace("succeeded", "failed"), delivery.headers, secret),
    ).rejects.toBeInstanceOf(WebhookVerificationError);

    const rotated = await client.rotateWebhookSecret();
    expect(rotated).not.toBe(secret);
    await client.img2img({ image: await samplePhoto(96), strength: 0.5, steps: 5, webhook_url: receiver.url("after") });
    const after = await receiver.waitFor((d) => d.hook === "after");
    // In the 24 hours after a rotation a delivery carries a signature by each secret: either verifies it.
    await expect(verifyWebhook(after.body, after.headers, rotated)).resolves.toMatchObject({ type: "edit.succeeded" });
    await expect(verifyWebhook(after.body, after.headers, secret)).resolves.toMatchObject({ type: "edit.succeeded" });
    await expect(verifyWebhook(delivery.body, delivery.headers, rotated)).rejects.toThrow("no webhook-signature");
  });
});

describe("test mode through the client", () => {
  it("charges nothing, runs the test model and gives the same output for the same seed", async () => {
    const before = await client.account();
    const image = await testClient.upload(await samplePhoto(96));
    const request = {
      image,
      points: [{ from: [30, 40] as [number, number], to: [50, 36] as [number, number] }],
      steps: 40,
      prompt: "a head",
    };
    const [first, again, otherSeed] = [
      await testClient.drag({ ...request, seed: 11 }),
      await testClient.drag({ ...request, seed: 11 }),
      await testClient.drag({ ...request, seed: 12 }),
    ];
    for (const edit of [first, again, otherSeed]) {
      expect(edit).toMatchObject({ status: "succeeded", livemode: false, model: testModelName, charged: 0 });
      expect(edit.price).toBeGreaterThan(0);
    }
    expect(again.output!.sha256).toBe(first.output!.sha256);
    expect(otherSeed.output!.sha256).not.toBe(first.output!.sha256);
    expect((await testClient.downloadOutput(first)).verified).toBe(true);

    // The account's credits did not move; the test key's ledger shows its rows, moving 0, marked test.
    expect(await client.account()).toMatchObject({ balance: before.balance, held: 0, livemode: true });
    const testView = await testClient.account();
    expect(testView).toMatchObject({ balance: before.balance, livemode: false });
    const rows = testView.recent_ledger.filter((row) => row.edit_id === first.id);
    expect(rows.map((row) => [row.kind, row.amount, row.held_change, row.livemode]).sort()).toEqual([
      ["capture", 0, 0, false],
      ["hold", 0, 0, false],
    ]);
    expect(before.recent_ledger.every((row) => row.livemode)).toBe(true);
  });

  it("keeps test and live data apart: reads, lists and uploads of the other mode are missing", async () => {
    const testEdit = await testClient.img2img({ image: await samplePhoto(96), strength: 0.5, steps: 5 });
    const liveImage = await client.upload(await samplePhoto(96));
    await expect(client.getEdit(testEdit.id)).rejects.toMatchObject({ status: 404, code: "not_found" });
    await expect(testClient.quote({ task: "img2img", image: liveImage, strength: 0.5 })).rejects.toMatchObject({
      status: 422,
      fieldErrors: [{ path: "image", message: expect.stringContaining("does not exist") }],
    });
    const liveIds: string[] = [];
    for await (const edit of client.listEdits({ limit: 100 })) liveIds.push(edit.id);
    const testEdits = [];
    for await (const edit of testClient.listEdits({ limit: 100 })) testEdits.push(edit);
    expect(liveIds).not.toContain(testEdit.id);
    expect(testEdits.map((edit) => edit.id)).toContain(testEdit.id);
    expect(testEdits.every((edit) => !edit.livemode && !liveIds.includes(edit.id))).toBe(true);
  });

  it("signs a test edit's webhook like any other, marked livemode: false", async () => {
    await testClient.img2img({
      image: await samplePhoto(96),
      strength: 0.5,
      steps: 5,
      webhook_url: receiver.url("test"),
    });
    const delivery = await receiver.waitFor((d) => d.hook === "test");
    const payload = await verifyWebhook(delivery.body, delivery.headers, await testClient.webhookSecret());
    expect(payload).toMatchObject({ type: "edit.succeeded", livemode: false, data: { livemode: false, charged: 0 } });
  });
});
