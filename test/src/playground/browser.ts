/** @module browser: Chromium (found by scripts/chromium.ts) driven by playwright-core, with a fresh profile per launch. */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { chromiumMissing, findChromium } from "../../../scripts/chromium.js";
import { repoRoot } from "../../../scripts/local-stack/repo-paths.js";

/** Offline and quiet: nothing but the page's own requests leaves the browser. */
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** playwright-core's launch gives every browser a new temporary user-data-dir and removes it on close. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(chromiumMissing());
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}

export const screenshotDir = join(repoRoot, "test-results/playground");

/** The final state of a flow, kept as a test artifact (test-results/ is gitignored). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
