/** @module vitest.config: infra tests start real processes (tsx, the runner, wrangler), slow on a cold, shared machine. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A guard against hangs, not a speed target: a cold tsx cache and two busy cores can take many seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
