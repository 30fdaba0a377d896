/** @module vitest.config: the README examples' test runs real edits on stochedit-mini (a few seconds each on 2 cores). */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["src/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 },
});
