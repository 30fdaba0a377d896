/**
 * @stochedit/client inside Chromium, through the playground's test setup: its source bundled for the browser by Vite
 * (as the playground is), loaded into a blank page on the edge's origin that has no Node globals, and driven against
 * the real stack: uploads from bytes and a File, a mask encoded in the page, progress over the event stream, a
 * cancel, typed errors and the verification of a real webhook with WebCrypto.
 */
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build, defaultClientConditions, type Rolldown } from "vite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type E2eStack, startE2eStack } from "../support/e2e-stack.js";
import { fastEdgeVars } from "../support/fast-edge.js";
import { ApiClient } from "../support/public-api.js";
import { samplePhoto } from "../support/sample-images.js";
import { cancelUnfinishedEdits } from "../support/test-isolation.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import { launchChromium } from "./browser.js";

const clientEntry = fileURLToPath(new URL("../../../client/src/index.ts", import.meta.url));

let stack: E2eStack;
let browser: Browser;
let page: Page;
let receiver: WebhookReceiver;
let bundle: string;

/** The client as one classic script that sets `globalThis.stochedit`, built for browsers (no Node polyfills). */
async function bundleClient(): Promise<string> {
  const result = (await build({
    configFile: false,
    logLevel: "warn",
    resolve: { conditions: ["@stochedit/source", ...defaultClientConditions] },
    build: {
      write: false,
      minify: false,
      target: "es2022",
      lib: { entry: clientEntry, formats: ["iife"], name: "stochedit", fileName: () => "stochedit.js" },
    },
  })) as Rolldown.RolldownOutput[];
  const chunk = result[0]!.output.find((file) => file.type === "chunk");
  if (!chunk) throw new Error("vite built no chunk for the client");
  return chunk.code;
}

beforeAll(async () => {
  [stack, browser, bundle] = await Promise.all([
    startE2eStack({ edgeVars: { ...fastEdgeVars, PROGRESS_WRITE_MIN_MS: "50", SSE_POLL_MS: "50" } }),
    launchChromium(),
    bundleClient(),
  ]);
  receiver = await startWebhookReceiver(await new ApiClient(stack.edgeUrl, stack.apiKey).webhookSecret());
  await stack.startRunner("browser-runner");
});
afterEach(async () => {
  await page?.context().close();
  await cancelUnfinishedEdits(new ApiClient(stack.edgeUrl, stack.apiKey));
});
afterAll(async () => {
  await receiver?.close();
  await browser?.close();
  await stack?.stop();
});

/**
 * A page of the edge's origin holding only the client: API calls are same-origin, as the playground's. A document the
 * edge really served (Chromium lets only those reach loopback addresses such as the local S3), here its OpenAPI JSON.
 */
async function openClientPage(): Promise<Page> {
  const context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${stack.edgeUrl}/openapi.json`);
  await page.addScriptTag({ content: bundle });
  return page;
}

describe("@stochedit/client in Chromium", () => {
  it("runs without Node globals: uploads, a drag with a mask made in the page, progress and a checked download", async () => {
    const page = await openClientPage();
    const photo = Buffer.from(await samplePhoto(96)).toString("base64");
    const outcome = await page.evaluate(
      async ({ apiKey, baseUrl, photo }) => {
        const g = globalThis as Record<string, unknown>;
        const nodeGlobals = ["process", "Buffer", "require", "global", "module"].filter((name) => name in g);
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, typed in Node only
        const { StocheditClient, encodeMaskPng } = g.stochedit as any;
        const client = new StocheditClient({ apiKey, baseUrl });
        const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
        const file = new File([bytes], "photo.jpg", { type: "image/jpeg" });
        const image = await client.upload(file);
        const pixels = new Uint8Array(96 * 96).map((_, i) => (i % 96 >= 24 && i % 96 < 72 ? 255 : 0));
        const updates: { status: string; step: number; total: number }[] = [];
        const edit = await client.drag({
          image,
          mask: await encodeMaskPng(pixels, 96, 96),
          points: [{ from: [30, 40], to: [50, 36] }],
          steps: 200,
          onProgress: ({ status, step, total }: { status: string; step: number; total: number }) =>
            updates.push({ status, step, total }),
        });
        const output = await client.downloadOutput(edit);
        return {
          nodeGlobals,
          status: edit.status,
          total: edit.progress.total,
          updates,
          verified: output.verified,
          size: [output.width, output.height],
          length: output.bytes.length,
        };
      },
      { apiKey: stack.apiKey, baseUrl: stack.edgeUrl, photo },
    );
    expect(outcome.nodeGlobals).toEqual([]);
    expect(outcome).toMatchObject({ status: "succeeded", verified: true, size: [96, 96] });
    expect(outcome.length).toBeGreaterThan(100);
    expect(outcome.updates.at(-1)).toEqual({ status: "succeeded", step: outcome.total, total: outcome.total });
    expect(outcome.updates.some((u) => u.status === "running" && u.step > 0 && u.step < outcome.total)).toBe(true);
  });

  it("cancels a running edit, and says what the API refused in typed errors", async () => {
    const page = await openClientPage();
    const photo = Buffer.from(await samplePhoto(768)).toString("base64");
    const outcome = await page.evaluate(
      async ({ apiKey, baseUrl, photo }) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, typed in Node only
        const { StocheditClient, EditFailedError, ApiError } = (globalThis as any).stochedit;
        const client = new StocheditClient({ apiKey, baseUrl });
        const image = await client.upload(Uint8Array.from(atob(photo), (c) => c.charCodeAt(0)));
        const accepted = await client.createEdit({ task: "img2img", image, strength: 1, steps: 1000 });
        const canceled = await client
          .wait(accepted.id, {
            onProgress: (u: { status: string; step: number }) => {
              if (u.status === "running" && u.step > 0) void client.cancel(accepted.id);
            },
          })
          .catch((error: unknown) => error);
        const refused = await client
          .quote({ task: "drag", image, points: [{ from: [1, 1], to: [900, 1] }] })
          .catch((error: unknown) => error);
        return {
          canceled:
            canceled instanceof EditFailedError ? { status: canceled.status, charged: canceled.edit.charged } : null,
          refused:
            refused instanceof ApiError
              ? {
                  status: refused.status,
                  code: refused.code,
                  paths: refused.fieldErrors.map((f: { path: string }) => f.path),
                  requestId: refused.requestId,
                }
              : null,
        };
      },
      { apiKey: stack.apiKey, baseUrl: stack.edgeUrl, photo },
    );
    expect(outcome.canceled).toEqual({ status: "canceled", charged: 0 });
    expect(outcome.refused).toMatchObject({ status: 422, code: "validation_failed", paths: ["points.0.to"] });
    expect(outcome.refused?.requestId).toMatch(/\S/);
  });

  it("verifies a webhook the API sent, with the browser's WebCrypto", async () => {
    const api = new ApiClient(stack.edgeUrl, stack.apiKey);
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    await api.submit({ task: "img2img", image, strength: 0.5, steps: 5, webhook_url: receiver.url("browser") });
    const delivery = await receiver.waitFor((d) => d.hook === "browser");
    const secret = await api.webhookSecret();
    const page = await openClientPage();
    const verdicts = await page.evaluate(
      async ({ body, headers, secret }) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, typed in Node only
        const { verifyWebhook } = (globalThis as any).stochedit;
        const genuine = await verifyWebhook(body, new Headers(headers), secret, { toleranceSeconds: 3600 });
        const forged = await verifyWebhook(body.replace("succeeded", "failed"), headers, secret, {
          toleranceSeconds: 3600,
        }).catch((error: Error) => error.name);
        return { type: genuine.type, forged };
      },
      { body: delivery.body, headers: delivery.headers, secret },
    );
    expect(verdicts).toEqual({ type: "edit.succeeded", forged: "WebhookVerificationError" });
  });
});
