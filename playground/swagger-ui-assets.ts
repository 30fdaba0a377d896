/**
 * @module swagger-ui-assets: a Vite plugin that copies Swagger UI (the pinned swagger-ui-dist package) into
 * served/docs/swagger-ui/, the static assets the edge's GET /docs page loads: the docs work without internet.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Plugin } from "vite";

/** What the page needs, and the package's licence and notice, which travel with its code. */
export const swaggerUiFiles = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"] as const;

export function swaggerUiAssets(servedDir: string): Plugin {
  return {
    name: "swagger-ui-assets",
    apply: "build",
    async closeBundle() {
      const packageDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
      const target = join(servedDir, "docs/swagger-ui");
      await mkdir(target, { recursive: true });
      await Promise.all(swaggerUiFiles.map((file) => copyFile(join(packageDir, file), join(target, file))));
    },
  };
}
