import {
  EditRequest,
  type EditRequestInput,
  editLimits,
  formatCredits,
  Problem,
  priceMicroCredits,
  type Sampler,
} from "@stochedit/shared";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.js";
import { launchChromium, saveScreenshot } from "./browser.js";
import { buildPlayground, inputPhoto, inputSize, PlaygroundPage } from "./playground-page.js";

let stack: E2eStack;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  await buildPlayground();
  [stack, browser] = await Promise.all([startE2eStack(), launchChromium()]);
});
afterEach(() => context?.close());
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The price the API must quote, from the shared pricing (the upload id does not change it). */
function expectedPrice(request: Omit<EditRequestInput, "sampler" | "image">, sampler: Sampler): number {
  return priceMicroCredits(EditRequest.parse({ ...request, image: "up_0000000000000000", sampler }), inputSize);
}

async function openPage(apiKey: string): Promise<PlaygroundPage> {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  return PlaygroundPage.open(context, stack.edgeUrl, apiKey);
}

describe("the playground page, served by the edge", () => {
  it("shows the API's own words when the API key is not valid", async () => {
    const badKey = `sk_test_${"a".repeat(16)}_${"b".repeat(32)}`; // well-formed, never issued
    const answer = await fetch(`${stack.edgeUrl}/v1/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${badKey}`, "content-type": "application/json" },
      body: JSON.stringify({ content_type: "image/jpeg", content_length: 1000 }),
    });
    const problem = Problem.parse(await answer.json());
    expect(problem.status).toBe(401);

    const page = await openPage(badKey);
    await page.chooseImage(await inputPhoto());
    await page.errorPanel.waitFor({ state: "visible" });
    const shown = await page.errorPanel.textContent();
    expect(shown).toContain(`${problem.title} (401)`);
    expect(shown).toContain(problem.detail);
    expect(shown).toContain("POST /v1/uploads");
    expect(await page.page.locator("#image-info").textContent()).toContain("not uploaded");
    await saveScreenshot(page.page, "bad-key");
  });

  it("uploads the image, places points in the image's pixels and prices both samplers before running", async () => {
    const page = await openPage(stack.apiKey);
    await page.chooseImage(await inputPhoto());
    expect(await page.page.locator("#image-info").textContent()).toMatch(/112x80, uploaded as up_\w+/);
    expect(await page.price.textContent()).toContain("Click a source point");

    await page.fill("steps", "20");
    for (const point of [
      [30, 40],
      [50, 40],
      [80, 20],
      [90, 30],
    ] as const)
      await page.tapPixel(point);
    expect(await page.pairTexts()).toEqual(["(30, 40) → (50, 40)", "(80, 20) → (90, 30)"]);

    const twoPairs = {
      task: "drag" as const,
      steps: 20,
      t0: 0.6,
      points: [
        { from: [30, 40] as [number, number], to: [50, 40] as [number, number] },
        { from: [80, 20] as [number, number], to: [90, 30] as [number, number] },
      ],
    };
    const [sde, ode] = [expectedPrice(twoPairs, "sde"), expectedPrice(twoPairs, "ode")];
    await expect
      .poll(() => page.price.textContent(), { timeout: 15_000 })
      .toBe(`Price: ${formatCredits(sde + ode)} = SDE ${formatCredits(sde)} + ODE ${formatCredits(ode)}`);

    // A pair removed and one sampler chosen: the price follows.
    await page.page.getByRole("button", { name: "Remove pair 1" }).click();
    await page.chooseRadio("sampler", "ode");
    expect(await page.pairTexts()).toEqual(["(80, 20) → (90, 30)"]);
    const onePair = { ...twoPairs, points: twoPairs.points.slice(1) };
    await expect
      .poll(() => page.price.textContent(), { timeout: 15_000 })
      .toBe(`Price: ${formatCredits(expectedPrice(onePair, "ode"))}`);
    expect(await page.errorPanel.isHidden()).toBe(true);
    await saveScreenshot(page.page, "priced");
  });

  it("asks for the area to fill before pricing an inpaint, then prices it", async () => {
    const page = await openPage(stack.apiKey);
    await page.chooseImage(await inputPhoto());
    await page.chooseRadio("task", "inpaint");
    await page.chooseRadio("sampler", "sde");
    expect(await page.price.textContent()).toBe("Price: Paint the area to fill with the brush.");
    await page.strokePixels([
      [20, 20],
      [60, 40],
    ]);
    await page.fill("steps", "30");
    const inpaint = { task: "inpaint" as const, mask: "up_0000000000000001", steps: 30 };
    await expect
      .poll(() => page.price.textContent(), { timeout: 15_000 })
      .toBe(`Price: ${formatCredits(expectedPrice(inpaint, "sde"))}`);
    expect(await page.errorPanel.isHidden()).toBe(true);
  });

  it("shows a refused submission's field errors on each sampler's card", async () => {
    const page = await openPage(stack.apiKey);
    await page.chooseImage(await inputPhoto());
    await page.tapPixel([20, 20]);
    await page.tapPixel([40, 30]);
    await page.fill("prompt", "x".repeat(editLimits.promptMaxChars + 1));
    await page.run();
    for (const sampler of ["sde", "ode"] as const) {
      const error = page.result(sampler).locator(".error");
      await error.waitFor({ state: "visible" });
      const shown = await error.textContent();
      expect(shown).toContain("(422)");
      expect(shown).toMatch(new RegExp(`prompt: .*${editLimits.promptMaxChars}`));
      expect(shown).toContain("POST /v1/edits");
    }
    const account = await fetch(`${stack.edgeUrl}/v1/account`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(await account.json()).toMatchObject({ held: 0 });
  });
});

describe("the API docs page, served by the edge", () => {
  it("renders every operation of /openapi.json with no request leaving the edge's origin", async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const edgeOrigin = new URL(stack.edgeUrl).origin;
    const elsewhere: string[] = [];
    // As on a machine without internet: any request to another origin (a CDN, say) fails, and is recorded.
    await context.route("**/*", (route) => {
      if (new URL(route.request().url()).origin === edgeOrigin) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${stack.edgeUrl}/docs`);

    const document = (await (await fetch(`${stack.edgeUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const rendered = page.locator(".opblock-summary");
    await expect.poll(() => rendered.count(), { timeout: 30_000 }).toBe(operations.length);
    const shown = await rendered.evaluateAll((blocks) =>
      blocks.map((block) => {
        const method = block.querySelector(".opblock-summary-method")?.textContent ?? "";
        const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "";
        return `${method} ${path}`;
      }),
    );
    expect(shown.sort()).toEqual(operations.sort());
    expect(await page.locator(".info .title").textContent()).toContain("stochedit");
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
    await saveScreenshot(page, "api-docs");
  });
});
