/**
 * @module playground-page: drives the playground page as a person would: mouse on a desktop, touch on a phone
 * (real touch input through the DevTools protocol), and reads back what the page shows.
 */
import { fileURLToPath } from "node:url";
import type { BrowserContext, Locator, Page } from "playwright-core";
import sharp from "sharp";
import { ensurePlaygroundBuilt } from "../../../scripts/local-stack/playground-build.js";

/** Not square, so a swapped width and height would show. */
export const inputSize = { width: 112, height: 80 } as const;

const sculpture = fileURLToPath(new URL("../../../gpu-runner/test-fixtures/sculpture.jpg", import.meta.url));

/** The photo at `size`: a larger one makes a longer edit (points are mapped for `inputSize` only). */
export async function inputPhoto(size: { width: number; height: number } = inputSize): Promise<Buffer> {
  return sharp(sculpture).resize(size.width, size.height, { fit: "fill" }).jpeg({ quality: 90 }).toBuffer();
}

/** The browser tests serve the page as built from the working tree. */
export async function buildPlayground(): Promise<void> {
  await ensurePlaygroundBuilt();
}

export type PixelPoint = readonly [number, number];

export interface UploadPut {
  readonly contentType: string;
  readonly body: Promise<Buffer>;
}

export class PlaygroundPage {
  readonly canvas: Locator;
  readonly errorPanel: Locator;
  readonly price: Locator;
  readonly balance: Locator;
  readonly pairs: Locator;

  private constructor(
    readonly page: Page,
    private readonly touch: boolean,
  ) {
    this.canvas = page.locator("#input-canvas");
    this.errorPanel = page.locator("#error");
    this.price = page.locator("#price");
    this.balance = page.locator("#balance");
    this.pairs = page.locator("#pairs li");
  }

  static async open(context: BrowserContext, edgeUrl: string, apiKey: string): Promise<PlaygroundPage> {
    const page = await context.newPage();
    await page.goto(`${edgeUrl}/playground/#key=${encodeURIComponent(apiKey)}`);
    // A context made with hasTouch (the phone) reports touch points: drive it with touch input, else the mouse.
    const touch = await page.evaluate("navigator.maxTouchPoints > 0");
    return new PlaygroundPage(page, touch === true);
  }

  /** Chooses the file and waits until the page says it is uploaded (or shows why not). */
  async chooseImage(bytes: Buffer, name = "sculpture.jpg", mimeType = "image/jpeg"): Promise<void> {
    await this.page.locator("#image-file").setInputFiles({ name, mimeType, buffer: bytes });
    await this.page
      .locator("#image-info")
      .filter({ hasText: /uploaded as up_|not uploaded/ })
      .waitFor();
  }

  async chooseRadio(name: "task" | "tool" | "sampler", value: string): Promise<void> {
    await this.page.locator(`input[name="${name}"][value="${value}"]`).check();
  }

  async fill(id: "prompt" | "seed" | "t0" | "steps" | "previews", value: string): Promise<void> {
    const input = this.page.locator(`#${id}`);
    await input.fill(value);
    await input.dispatchEvent("change");
  }

  /** Where the centre of image pixel `point` is on the screen, in CSS pixels. */
  async screenPoint(point: PixelPoint): Promise<{ x: number; y: number }> {
    await this.canvas.scrollIntoViewIfNeeded();
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error("the input image is not shown");
    return {
      x: box.x + ((point[0] + 0.5) * box.width) / inputSize.width,
      y: box.y + ((point[1] + 0.5) * box.height) / inputSize.height,
    };
  }

  /** A click (or a tap) on the image. */
  async tapPixel(point: PixelPoint): Promise<void> {
    const { x, y } = await this.screenPoint(point);
    if (this.touch) await this.page.touchscreen.tap(x, y);
    else await this.page.mouse.click(x, y);
  }

  /** A brush stroke through the points: mouse drag, or one finger moving over the screen. */
  async strokePixels(points: readonly PixelPoint[]): Promise<void> {
    const screen = await Promise.all(points.map((p) => this.screenPoint(p)));
    const [first, ...rest] = screen;
    if (!first) return;
    if (!this.touch) {
      await this.page.mouse.move(first.x, first.y);
      await this.page.mouse.down();
      for (const p of rest) await this.page.mouse.move(p.x, p.y, { steps: 4 });
      await this.page.mouse.up();
      return;
    }
    const cdp = await this.page.context().newCDPSession(this.page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", p?: { x: number; y: number }) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints: p ? [{ x: p.x, y: p.y, id: 1 }] : [] });
    await touch("touchStart", first);
    for (const p of rest) await touch("touchMove", p);
    await touch("touchEnd");
    await cdp.detach();
  }

  /**
   * Every PUT the page sends (uploads straight to S3) with its body. The DevTools protocol is asked for the body:
   * Playwright's own request object does not carry Blob bodies.
   */
  async recordPuts(): Promise<UploadPut[]> {
    const puts: UploadPut[] = [];
    const cdp = await this.page.context().newCDPSession(this.page);
    await cdp.send("Network.enable");
    cdp.on("Network.requestWillBeSent", (event) => {
      if (event.request.method !== "PUT") return;
      const contentType = Object.entries(event.request.headers).find(([name]) => name.toLowerCase() === "content-type");
      const body = cdp.send("Network.getRequestPostData", { requestId: event.requestId }).then((answer) => {
        const { postData, base64Encoded } = answer as { postData: string; base64Encoded?: boolean };
        return Buffer.from(postData, base64Encoded ? "base64" : "utf8");
      });
      puts.push({ contentType: String(contentType?.[1] ?? ""), body });
    });
    return puts;
  }

  async pairTexts(): Promise<string[]> {
    return (await this.pairs.allTextContents()).map((text) => text.replace(/Remove$/, "").trim());
  }

  async run(): Promise<void> {
    await this.page.getByRole("button", { name: "Run" }).click();
  }

  result(sampler: "sde" | "ode"): Locator {
    return this.page.locator(`.result[data-sampler="${sampler}"]`);
  }

  /** The natural size of a result's image once it has loaded. */
  async resultImageSize(sampler: "sde" | "ode"): Promise<{ width: number; height: number }> {
    const image = this.result(sampler).locator("img.output");
    await image.waitFor({ state: "visible" });
    return image.evaluate(async (element) => {
      // This file type-checks without the DOM library: the element is an HTMLImageElement.
      const img = element as unknown as { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
      await img.decode();
      return { width: img.naturalWidth, height: img.naturalHeight };
    });
  }
}
