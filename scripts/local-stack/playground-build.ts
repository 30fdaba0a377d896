/** @module playground-build: builds the playground page (Vite) into what the edge serves, when missing or stale. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./repo-paths.js";

export const playgroundDir = join(repoRoot, "playground");
/** wrangler.toml's [assets] directory is playground/served; the page is its playground/ folder. */
export const builtIndex = join(playgroundDir, "served/playground/index.html");
/** The same build copies Swagger UI there for the edge's /docs page. */
const builtSwaggerUi = join(playgroundDir, "served/docs/swagger-ui/swagger-ui-bundle.js");
/** What the build is made of: a change to any of these makes it stale. */
const sources = [
  "index.html",
  "src",
  "vite.config.ts",
  "swagger-ui-assets.ts",
  "package.json",
  "../client/src",
  "../shared/src",
  "../docs/examples",
];

async function newestChangeMs(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestChangeMs(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when the page and Swagger UI were built after their sources last changed. */
export async function playgroundIsFresh(): Promise<boolean> {
  const built = await stat(builtIndex).catch(() => undefined);
  if (!built || !existsSync(builtSwaggerUi)) return false;
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
