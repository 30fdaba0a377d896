import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccountView,
  Edit,
  EditList,
  EditRequest,
  type EditRequestInput,
  formatCredits,
  priceMicroCredits,
} from "@stochedit/shared";
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { balanceText } from "../../../playground/src/credits.js";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.js";
import { launchChromium, saveScreenshot } from "./browser.js";
import { buildPlayground, inputPhoto, inputSize, type PixelPoint, PlaygroundPage } from "./playground-page.js";

let stack: E2eStack;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  await buildPlayground();
  [stack, browser] = await Promise.all([startE2eStack({ edgeVars: { SSE_POLL_MS: "100" } }), launchChromium()]);
  await stack.startRunner("playground-runner");
});
afterEach(() => context?.close());
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const pairs: { from: PixelPoint; to: PixelPoint }[] = [
  { from: [30, 40], to: [42, 40] },
  { from: [80, 24], to: [86, 32] },
];
/** A horizontal band through the middle: with the brush's default radius (5 px here) it covers y = 55..65. */
const stroke: PixelPoint[] = [
  [10, 60],
  [40, 60],
  [70, 60],
  [100, 60],
];
const settings = { steps: 10, seed: 7 };

async function api<T>(path: string, schema: { parse(value: unknown): T }): Promise<T> {
  const answer = await fetch(`${stack.edgeUrl}${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  return schema.parse(await answer.json());
}

/**
 * The flow: upload, two point pairs, a painted mask, SDE and ODE at once; both results load at the input's
 * size, the requests carry the points in image pixels and the mask as a one-channel PNG, and a result downloads.
 */
async function dragBothSamplers(options: BrowserContextOptions, screenshot: string): Promise<void> {
  context = await browser.newContext(options);
  const page = await PlaygroundPage.open(context, stack.edgeUrl, stack.apiKey);
  const submitted: EditRequestInput[] = [];
  page.page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/edits") {
      submitted.push(request.postDataJSON());
    }
  });
  const puts = await page.recordPuts();

  await page.chooseImage(await inputPhoto());
  await page.fill("steps", String(settings.steps));
  await page.fill("seed", String(settings.seed));
  for (const pair of pairs) {
    await page.tapPixel(pair.from);
    await page.tapPixel(pair.to);
  }
  expect(await page.pairTexts()).toEqual(pairs.map((p) => `(${p.from.join(", ")}) → (${p.to.join(", ")})`));
  await page.chooseRadio("tool", "brush");
  await page.strokePixels(stroke);

  const body = {
    task: "drag" as const,
    image: "up_0000000000000000",
    points: pairs.map((p) => ({ ...p })),
    ...settings,
  };
  const [sdePrice, odePrice] = (["sde", "ode"] as const).map((sampler) =>
    priceMicroCredits(EditRequest.parse({ ...body, sampler } as EditRequestInput), inputSize),
  );
  await expect
    .poll(() => page.price.textContent(), { timeout: 15_000 })
    .toContain(formatCredits(sdePrice! + odePrice!));

  await page.run();
  expect(await page.resultImageSize("sde")).toEqual(inputSize);
  expect(await page.resultImageSize("ode")).toEqual(inputSize);

  // What the page sent: both samplers, the same points (image pixels), settings and mask.
  expect(submitted.map((r) => r.sampler).sort()).toEqual(["ode", "sde"]);
  for (const request of submitted) {
    expect(request).toMatchObject({ task: "drag", points: pairs, ...settings });
  }
  const maskIds = submitted.map((r) => (r.task === "drag" ? r.mask : undefined));
  expect(maskIds[0]).toMatch(/^up_/);
  expect(maskIds[1]).toBe(maskIds[0]);
  expect(puts.map((put) => put.contentType)).toEqual(["image/jpeg", "image/png"]);
  const mask = sharp(await puts[1]!.body);
  expect(await mask.metadata()).toMatchObject({ format: "png", ...inputSize, channels: 1 });
  const maskPixels = await mask.extractChannel(0).raw().toBuffer();
  const at = ([x, y]: PixelPoint) => maskPixels[y * inputSize.width + x];
  expect(new Set(maskPixels)).toEqual(new Set([0, 255]));
  expect([at([40, 60]), at([70, 57]), at([100, 63])]).toEqual([255, 255, 255]);
  expect([at([40, 20]), at([70, 70]), at([0, 0])]).toEqual([0, 0, 0]);

  // What the API recorded: both succeeded at the input's size, each charged its quoted price.
  const edits = (await api("/v1/edits?limit=2", EditList)).data;
  const bySampler = Object.fromEntries(edits.map((edit) => [edit.sampler, edit]));
  for (const [sampler, price] of [
    ["sde", sdePrice],
    ["ode", odePrice],
  ] as const) {
    expect(bySampler[sampler]).toMatchObject({ status: "succeeded", charged: price, seed: settings.seed });
    expect(bySampler[sampler]?.output).toMatchObject(inputSize);
    await expect
      .poll(() => page.result(sampler).locator(".status").textContent())
      .toContain(`charged ${formatCredits(price!)}`);
  }
  expect(bySampler.sde?.output?.sha256).not.toBe(bySampler.ode?.output?.sha256);

  // The download is the stored result, byte for byte.
  const sde = bySampler.sde!;
  const [download] = await Promise.all([
    page.page.waitForEvent("download"),
    page.page.getByRole("link", { name: "Download SDE result" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`stochedit-${sde.id}-sde.png`);
  const bytes = await readFile(await download.path());
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(sde.output?.sha256);
  expect(Edit.parse(await api(`/v1/edits/${sde.id}`, Edit)).status).toBe("succeeded");

  await saveScreenshot(page.page, screenshot);
}

describe("the playground running edits on the local stack", () => {
  it("drags with two point pairs and a painted mask under SDE and ODE on a desktop, with the mouse", async () => {
    await dragBothSamplers({ viewport: { width: 1280, height: 860 } }, "desktop-drag-sde-ode");
  });

  it("does the same on a phone-sized viewport with touch", async () => {
    await dragBothSamplers(
      { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
      "phone-drag-sde-ode",
    );
  });
});

/** The README's first edits (docs/examples/), which the page offers as samples. */
const examplesDir = fileURLToPath(new URL("../../../docs/examples/", import.meta.url));
const SampleExample = z.object({
  title: z.string(),
  image: z.string(),
  mask: z.string().optional(),
  request: z.record(z.string(), z.unknown()),
});
async function sampleExample(task: string) {
  const manifest = JSON.parse(await readFile(join(examplesDir, "examples.json"), "utf8"));
  const example = z
    .array(SampleExample)
    .parse(manifest.examples)
    .find((e) => e.request.task === task);
  if (!example) throw new Error(`docs/examples/examples.json has no ${task} example`);
  return example;
}

describe("the playground's samples (the README's first edits)", () => {
  it("loads a sample's picture, settings, points or mask, and runs it as the README's request", async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await PlaygroundPage.open(context, stack.edgeUrl, stack.apiKey);
    const submitted: EditRequestInput[] = [];
    page.page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/edits") {
        submitted.push(request.postDataJSON());
      }
    });
    const puts = await page.recordPuts();
    const info = page.page.locator("#image-info");

    // The drag: the picture uploaded, its one pair of points placed, its settings in the form, priced.
    const drag = await sampleExample("drag");
    await page.page.getByRole("button", { name: drag.title }).click();
    await info.filter({ hasText: /uploaded as up_/ }).waitFor();
    expect(await info.textContent()).toMatch(new RegExp(`^${drag.image}: 128x128, uploaded as up_\\w+$`));
    const { points, prompt, seed, steps } = drag.request as {
      points: { from: number[]; to: number[] }[];
      prompt: string;
      seed: number;
      steps: number;
    };
    expect(await page.pairTexts()).toEqual(points.map((p) => `(${p.from.join(", ")}) → (${p.to.join(", ")})`));
    expect(await page.page.locator("#prompt").inputValue()).toBe(prompt);
    expect(await page.page.locator("#seed").inputValue()).toBe(String(seed));
    expect(await page.page.locator("#steps").inputValue()).toBe(String(steps));
    const dragBody = { ...drag.request, image: "up_0000000000000000" } as EditRequestInput;
    const dragPrices = (["sde", "ode"] as const).map((sampler) =>
      priceMicroCredits(EditRequest.parse({ ...dragBody, sampler }), { width: 128, height: 128 }),
    );
    await expect
      .poll(() => page.price.textContent(), { timeout: 15_000 })
      .toContain(formatCredits(dragPrices[0]! + dragPrices[1]!));

    // The inpaint, run with SDE: the page sends the README's request, the picture's bytes and the sample's mask.
    const inpaint = await sampleExample("inpaint");
    await page.page.getByRole("button", { name: inpaint.title }).click();
    await info.filter({ hasText: new RegExp(`^${inpaint.image}: .*uploaded as up_`) }).waitFor();
    await page.chooseRadio("sampler", "sde");
    await page.run();
    expect(await page.resultImageSize("sde")).toEqual({ width: 128, height: 128 });
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ ...inpaint.request, sampler: "sde" });
    const sentImage = await puts.at(-2)!.body;
    expect(sentImage.equals(await readFile(join(examplesDir, inpaint.image)))).toBe(true);
    const sentMask = await sharp(await puts.at(-1)!.body)
      .extractChannel(0)
      .raw()
      .toBuffer();
    const sampleMask = await sharp(join(examplesDir, inpaint.mask!)).extractChannel(0).raw().toBuffer();
    expect(sentMask.equals(sampleMask)).toBe(true);
    expect(await newestEdit()).toMatchObject({ status: "succeeded", task: "inpaint", seed: inpaint.request.seed });
    await saveScreenshot(page.page, "sample-inpaint");
  });
});

/** An SDE img2img edit set up on a desktop page, and the account as the page first shows it. */
async function img2imgPage(photo: Buffer, settings: { steps: number; strength: number; previews?: number }) {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await PlaygroundPage.open(context, stack.edgeUrl, stack.apiKey);
  const before = await api("/v1/account", AccountView);
  expect(before.held).toBe(0);
  await expect.poll(() => page.balance.textContent(), { timeout: 15_000 }).toBe(balanceText(before));
  await page.chooseImage(photo);
  await page.chooseRadio("task", "img2img");
  await page.chooseRadio("sampler", "sde");
  await page.fill("steps", String(settings.steps));
  await page.fill("t0", String(settings.strength));
  if (settings.previews !== undefined) await page.fill("previews", String(settings.previews));
  const size = await sharp(photo).metadata();
  const { previews, ...rest } = settings;
  const request = {
    task: "img2img",
    image: "up_0000000000000000",
    sampler: "sde",
    ...rest,
    ...(previews && { previews }),
  } as const;
  const price = priceMicroCredits(EditRequest.parse(request), { width: size.width, height: size.height });
  return { page, before, price };
}

async function newestEdit(): Promise<Edit> {
  const [edit] = (await api("/v1/edits?limit=1", EditList)).data;
  if (!edit) throw new Error("no edit was submitted");
  return edit;
}

describe("the balance the playground shows, and canceling an edit", () => {
  it("takes exactly the edit's price off the balance shown once the edit succeeds", async () => {
    const { page, before, price } = await img2imgPage(await inputPhoto(), { steps: 10, strength: 0.6 });
    await page.run();
    expect(await page.resultImageSize("sde")).toEqual(inputSize);
    expect(await newestEdit()).toMatchObject({ status: "succeeded", charged: price });
    await expect
      .poll(() => page.balance.textContent(), { timeout: 15_000 })
      .toBe(balanceText({ balance: before.balance - price, held: 0 }));
  });

  it("shows the previews an edit sends as they arrive, then its output, and charges their decodes", async () => {
    const { page, price } = await img2imgPage(await inputPhoto(), { steps: 20, strength: 0.6, previews: 3 });
    await expect.poll(() => page.price.textContent(), { timeout: 15_000 }).toContain(formatCredits(price));
    const submitted = page.page.waitForRequest(
      (request) => request.method() === "POST" && new URL(request.url()).pathname === "/v1/edits",
    );
    await page.run();
    expect((await submitted).postDataJSON()).toMatchObject({ previews: 3 });
    expect(await page.resultImageSize("sde")).toEqual(inputSize);
    const thumbs = page.result("sde").locator(".previews img");
    await expect.poll(() => thumbs.count(), { timeout: 15_000 }).toBe(3);
    const sources = await thumbs.evaluateAll((images) => images.map((image) => image.getAttribute("src") ?? ""));
    expect(sources.every((src) => src.startsWith("data:image/jpeg;base64,"))).toBe(true);
    expect(await thumbs.evaluateAll((images) => images.map((image) => image.getAttribute("alt")))).toEqual([
      "SDE preview 0: step 4 of 12",
      "SDE preview 1: step 8 of 12",
      "SDE preview 2: step 12 of 12",
    ]);
    expect(await newestEdit()).toMatchObject({ status: "succeeded", charged: price, previews_ready: 3 });
    await saveScreenshot(page.page, "previews");
  });

  it("cancels a running edit: the card says canceled and the held price returns to the balance shown", async () => {
    // Large and long, so that it is still running when Cancel is pressed.
    const photo = await inputPhoto({ width: 768, height: 768 });
    const { page, before, price } = await img2imgPage(photo, { steps: 1000, strength: 1 });
    await page.run();
    const card = page.result("sde");
    const cancel = card.getByRole("button", { name: "Cancel SDE edit" });
    await card
      .locator(".status")
      .filter({ hasText: /running: step [1-9]/ })
      .waitFor();
    await expect
      .poll(() => page.balance.textContent(), { timeout: 15_000 })
      .toBe(balanceText({ balance: before.balance - price, held: price }));

    await cancel.click();
    await card
      .locator(".status")
      .filter({ hasText: /^canceled$/ })
      .waitFor();
    expect(await cancel.isDisabled()).toBe(true);
    expect(await card.locator(".error").textContent()).toContain("The edit was canceled");
    await expect.poll(() => page.balance.textContent(), { timeout: 15_000 }).toBe(balanceText(before));
    expect(await newestEdit()).toMatchObject({ status: "canceled", charged: 0, price });
    await saveScreenshot(page.page, "canceled");
  });
});
