import { createHash } from "node:crypto";
import type { EditRequestInput } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../scripts/local-stack/wait-until.js";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { isTerminalEdit, waitForEdit } from "./support/edit-status.js";
import { printLogsOnFailure } from "./support/failure-logs.js";
import { fastEdgeVars } from "./support/fast-edge.js";
import { ApiClient } from "./support/public-api.js";
import { centreMask, samplePhoto } from "./support/sample-images.js";
import { cancelUnfinishedEdits } from "./support/test-isolation.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

let stack: E2eStack;
let api: ApiClient;
let receiver: WebhookReceiver;

beforeAll(async () => {
  stack = await startE2eStack({ edgeVars: fastEdgeVars });
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
  receiver = await startWebhookReceiver(await api.webhookSecret());
  // One runner for the file: the edits run one after another, each waited for before the next is submitted.
  await stack.startRunner("runner-a");
});
// A test that failed half-way must not leave its edit ahead of the next test's in the queue.
printLogsOnFailure(() => stack);
afterEach(() => cancelUnfinishedEdits(api));
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const cases: [string, (image: string, mask: string) => EditRequestInput, string][] = [
  ["drag", (image) => ({ task: "drag", image, points: [{ from: [30, 40], to: [50, 36] }], steps: 20 }), "png"],
  [
    "inpaint",
    (image, mask) => ({ task: "inpaint", image, mask, steps: 10, prompt: "a stone head", output_format: "webp" }),
    "webp",
  ],
  ["img2img", (image) => ({ task: "img2img", image, strength: 0.5, steps: 10, output_format: "jpeg" }), "jpeg"],
];

describe.each(cases)("a %s edit from upload to webhook", (task, requestFor, format) => {
  it("succeeds, is announced by one signed webhook, its output downloads with the recorded hash, charged once", async () => {
    const before = await api.account();
    const [image, mask] = await Promise.all([
      api.upload(await samplePhoto(96), "image/jpeg"),
      api.upload(await centreMask(96), "image/png"),
    ]);
    const accepted = await api.submit({ ...requestFor(image, mask), webhook_url: receiver.url(task) });

    // Webhooks go out for terminal statuses only: the first one to this test's hook is the edit's ending.
    const delivery = await receiver.waitFor((d) => d.hook === task);
    expect(delivery.verifyError).toBeUndefined();
    expect(delivery.payload).toMatchObject({ type: "edit.succeeded", data: { id: accepted.id, status: "succeeded" } });

    const edit = await api.edit(accepted.id);
    expect(edit).toMatchObject({ status: "succeeded", charged: accepted.price, attempts: 1 });
    expect(delivery.payload?.data.output?.sha256).toBe(edit.output!.sha256);
    const output = new Uint8Array(await (await fetch(edit.output!.url)).arrayBuffer());
    expect(createHash("sha256").update(output).digest("hex")).toBe(edit.output!.sha256);
    expect(await sharp(output).metadata()).toMatchObject({ format, width: 96, height: 96 });

    const after = await api.account();
    expect(after).toMatchObject({ balance: before.balance - accepted.price, held: 0 });
    const kinds = after.recent_ledger.filter((e) => e.edit_id === accepted.id).map((e) => e.kind);
    expect(kinds.sort()).toEqual(["capture", "hold"]);

    // The edge logs the attempt once the receiver's answer is back, a moment after the receiver saw it.
    const logged = await waitUntil(
      async () => {
        const rows = await api.deliveries(accepted.id);
        return rows.some((row) => row.outcome !== "retrying") ? rows : undefined;
      },
      { what: `the delivery log of ${accepted.id}`, timeoutMs: 30_000 },
    );
    expect(logged).toEqual([
      expect.objectContaining({
        webhook_id: delivery.webhookId,
        type: "edit.succeeded",
        attempt: 1,
        status_code: 200,
        outcome: "delivered",
      }),
    ]);
  });
});

describe("a fast-preset drag", () => {
  it("is priced by the fast grid, below the standard one, and runs that grid to success", async () => {
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    // (30,40) -> (50,36) is latent (3,5) -> (6,4): 2 operations.
    const body: EditRequestInput = { task: "drag", image, points: [{ from: [30, 40], to: [50, 36] }] };
    const [fast, standard] = await Promise.all([api.quote({ ...body, preset: "fast" }), api.quote(body)]);
    expect(fast).toMatchObject({ operations: 2, steps_per_operation: 12, unet_calls: 24 });
    expect(fast.price).toBeLessThan(standard.price);

    const before = await api.account();
    const accepted = await api.submit({ ...body, preset: "fast" });
    expect(accepted.price).toBe(fast.price);
    const edit = await waitForEdit(api, accepted.id, isTerminalEdit);
    expect(edit).toMatchObject({ status: "succeeded", charged: fast.price });
    // The runner's own count of model steps (its first progress report) is what the edit shows once it is done.
    expect(edit.progress).toEqual({ step: fast.unet_calls, total: fast.unet_calls });
    const output = new Uint8Array(await (await fetch(edit.output!.url)).arrayBuffer());
    expect(await sharp(output).metadata()).toMatchObject({ format: "png", width: 96, height: 96 });
    expect(await api.account()).toMatchObject({ balance: before.balance - fast.price, held: 0 });
  });
});
