/** @module browser: Debian's Chromium driven by playwright-core (no browser download), with a fresh profile per launch. */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { repoRoot } from "../../../scripts/local-stack/repo-paths.js";

/** CI installs it with `apt-get install -y chromium` (.ci/run). */
export const chromiumPath = process.env.STOCHEDIT_CHROMIUM ?? "/usr/bin/chromium";

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
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: install Debian's with \`apt-get install -y chromium\``);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

export const screenshotDir = join(repoRoot, "test-results/playground");

/** The final state of a flow, kept as a test artifact (test-results/ is gitignored). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
