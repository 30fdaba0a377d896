/** @module vitest.config: end-to-end tests start real processes (s3rver, wrangler dev, runners): one file at a time. */
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // @stochedit/client's TypeScript source (its dist exists only once it is packed); tests run on Vite's server side.
  ssr: { resolve: { conditions: ["@stochedit/source", ...defaultServerConditions] } },
  test: {
    // The local stack's own unit tests (scripts/local-stack/) run here too: this workspace type-checks them.
    include: ["src/**/*.test.ts", "../scripts/**/*.test.ts"],
    // Each file brings up its own stack; two at once would compete for the 2 cores and slow both.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
