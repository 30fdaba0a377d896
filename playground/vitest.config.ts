/** @module vitest.config: the page's pure parts in Node; the page itself is tested in Chromium by test/src/playground. */
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests run on Vite's server side: @stochedit/client's source there too (see vite.config.ts).
  ssr: { resolve: { conditions: ["@stochedit/source", ...defaultServerConditions] } },
  test: { include: ["src/**/*.test.ts"] },
});
