/**
 * @module chromium: the Chromium that the playground's browser tests drive through playwright-core (which downloads
 * no browser by itself): where it is, and how `npm test` gets it when it is missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

/** Debian's `chromium` package. */
export const debianChromium = "/usr/bin/chromium";

/** `STOCHEDIT_CHROMIUM` when set (it is then the only candidate), else Debian's, else playwright-core's download. */
function candidates(): string[] {
  const chosen = process.env.STOCHEDIT_CHROMIUM;
  return chosen ? [chosen] : [debianChromium, chromium.executablePath()];
}

/** The browser to launch, or undefined when none is installed. */
export function findChromium(): string | undefined {
  return candidates().find((path) => existsSync(path));
}

const canInstallWithApt = () =>
  process.platform === "linux" && existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get");

/** Why the browser tests cannot run, and the one command that installs a browser here. */
export function chromiumMissing(): string {
  const chosen = process.env.STOCHEDIT_CHROMIUM;
  if (chosen) {
    return `the playground's browser tests need Chromium: STOCHEDIT_CHROMIUM names ${chosen}, which does not exist (point it at a Chromium or Chrome binary, or unset it)`;
  }
  const command = canInstallWithApt() ? "sudo apt-get install -y chromium" : "npx playwright-core install chromium";
  return `the playground's browser tests need Chromium, and there is none at ${debianChromium} or ${chromium.executablePath()}: run \`${command}\``;
}

export type ChromiumCheck = { readonly path: string; readonly installed: boolean } | { readonly missing: string };

/**
 * Finds the browser; when there is none, installs Debian's package where that needs no one's permission (root on
 * Debian, as on CI), and otherwise says which command to run.
 */
export function ensureChromium(say: (line: string) => void): ChromiumCheck {
  const found = findChromium();
  if (found) return { path: found, installed: false };
  if (process.env.STOCHEDIT_CHROMIUM || !canInstallWithApt() || process.getuid?.() !== 0) {
    return { missing: chromiumMissing() };
  }
  say("Chromium is missing: apt-get install -y chromium (for the playground's browser tests)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "chromium"],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0) return { missing: `apt-get ${args.join(" ")} failed (${result.status ?? result.signal})` };
  }
  const installed = findChromium();
  return installed ? { path: installed, installed: true } : { missing: chromiumMissing() };
}
