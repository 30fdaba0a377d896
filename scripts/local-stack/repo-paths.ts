/** @module repo-paths: where the repository's pieces are, from this file's own location. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const wranglerConfig = join(repoRoot, "wrangler.toml");
export const wranglerBin = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin/wrangler.js",
);
export const runnerMain = join(repoRoot, "gpu-runner/src/service/main.ts");
export const edgeServerMain = join(repoRoot, "scripts/local-stack/edge-server.ts");
