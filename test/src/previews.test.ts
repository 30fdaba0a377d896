/**
 * Previews end to end: an edit that asks for previews, on the real stack (s3rver, wrangler dev with workerd, a runner
 * on the generated tiny model), streams them as `preview` events, in order and each once, before its final status;
 * each is a JPEG of at most 256 px a side; the quote prices their decodes; a reconnect resumes after Last-Event-ID.
 */
import { type EditPreview, type EditRequestInput, previewLimits, previewSteps } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { readEditEvents } from "./support/edit-events.js";
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
  await stack.startRunner("runner-previews");
});
printLogsOnFailure(() => stack);
afterEach(() => cancelUnfinishedEdits(api));
afterAll(async () => {
  await stack?.stop();
});

/** The JPEG of a preview's data URL, checked: a JPEG of the preview's stated size, within the limits. */
async function decodePreview(preview: EditPreview) {
  const prefix = "data:image/jpeg;base64,";
  expect(preview.url.startsWith(prefix)).toBe(true);
  const jpeg = Buffer.from(preview.url.slice(prefix.length), "base64");
  expect(jpeg.byteLength).toBeLessThanOrEqual(previewLimits.maxBytes);
  const meta = await sharp(jpeg).metadata();
  expect(meta).toMatchObject({ format: "jpeg", width: preview.width, height: preview.height });
  expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(previewLimits.maxSide);
  return jpeg;
}

describe("previews", () => {
  it("a two-operation drag streams its copy-pasted start and previewed steps in order before it succeeds, each a small JPEG", async () => {
    const image = await api.upload(await samplePhoto(320), "image/jpeg");
    const request: EditRequestInput = {
      task: "drag",
      image,
      points: [{ from: [150, 170], to: [170, 160] }],
      steps: 20,
      previews: 3,
    };
    const quote = await api.quote(request);
    // Two operations of 12 steps each (20 from t0 0.6), previewed over all 24: three previewed steps and the start.
    expect(quote).toMatchObject({ operations: 2, steps_per_operation: 12, decoder_calls: 4 });
    const accepted = await api.submit(request);
    expect(accepted.price).toBe(quote.price);

    const received = await readEditEvents(await api.events(accepted.id));
    const previews = received.flatMap(({ event }) => (event.type === "preview" ? [event.preview] : []));
    expect(previews.map(({ index, step, total }) => ({ index, step, total }))).toEqual(
      [0, ...previewSteps(3, 24)].map((step, index) => ({ index, step, total: 24 })),
    );
    const last = received.at(-1)!.event;
    expect(last).toMatchObject({ type: "status", status: "succeeded" });
    const lastPreviewAt = received.findLastIndex(({ event }) => event.type === "preview");
    expect(lastPreviewAt).toBeLessThan(received.length - 1);

    // The 320 px photo is scaled to the 256 px limit; each preview decodes, and they differ from one another.
    const jpegs = [];
    for (const preview of previews) {
      expect(preview).toMatchObject({ width: 256, height: 256 });
      jpegs.push(await decodePreview(preview));
    }
    expect(new Set(jpegs.map((jpeg) => jpeg.toString("base64"))).size).toBe(jpegs.length);

    const edit = await api.edit(accepted.id);
    expect(edit).toMatchObject({ status: "succeeded", charged: quote.price, previews_ready: 4 });
    expect(await api.previews(accepted.id)).toEqual(previews);

    // Reconnecting: every preview again without Last-Event-ID, only the later ones after the second's id.
    const previewIds = received.flatMap(({ event, id }) => (event.type === "preview" ? [id!] : []));
    const replayed = async (lastEventId?: string) =>
      (await readEditEvents(await api.events(accepted.id, lastEventId))).flatMap(({ event }) =>
        event.type === "preview" ? [event.preview.index] : [],
      );
    expect(await replayed()).toEqual([0, 1, 2, 3]);
    expect(await replayed(previewIds[1])).toEqual([2, 3]);
  });

  it("an img2img edit without previews sends none and is priced without decodes", async () => {
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    const request: EditRequestInput = { task: "img2img", image, strength: 0.5, steps: 10 };
    const quote = await api.quote(request);
    expect(quote.decoder_calls).toBe(0);
    const accepted = await api.submit(request);
    const received = await readEditEvents(await api.events(accepted.id));
    expect(received.some(({ event }) => event.type === "preview")).toBe(false);
    expect(received.at(-1)!.event).toMatchObject({ type: "status", status: "succeeded" });
    expect(await api.edit(accepted.id)).toMatchObject({ previews_ready: 0, charged: quote.price });
  });
});
