/** @module vitest.config: the page's pure parts in Node; the page itself is tested in Chromium by test/src/playground. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["src/**/*.test.ts"] },
});
