/** @module playground-build: builds the playground page (Vite) into what the edge serves, when missing or stale. */
import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./repo-paths.js";

export const playgroundDir = join(repoRoot, "playground");
/** wrangler.toml's [assets] directory is playground/served; the page is its playground/ folder. */
export const builtIndex = join(playgroundDir, "served/playground/index.html");
/** What the built page is made of: a change to any of these makes the build stale. */
const sources = ["index.html", "src", "vite.config.ts", "../shared/src"];

async function newestChangeMs(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestChangeMs(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when the page was built after its sources last changed. */
export async function playgroundIsFresh(): Promise<boolean> {
  const built = await stat(builtIndex).catch(() => undefined);
  if (!built) return false;
  const changed = await Promise.all(sources.map((source) => newestChangeMs(join(playgroundDir, source))));
  return built.mtimeMs >= Math.max(...changed);
}

/** Runs `vite build` for the playground unless its build is fresh; says whether it built. */
export async function ensurePlaygroundBuilt(): Promise<boolean> {
  if (await playgroundIsFresh()) return false;
  const viteBin = join(
    dirname(createRequire(join(playgroundDir, "package.json")).resolve("vite/package.json")),
    "bin/vite.js",
  );
  await promisify(execFile)(process.execPath, [viteBin, "build", "--logLevel", "warn"], { cwd: playgroundDir }).catch(
    (error: Error & { stderr?: string; stdout?: string }) => {
      throw new Error(`building the playground failed: ${error.stderr || error.stdout || error.message}`);
    },
  );
  return true;
}
