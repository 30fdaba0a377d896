/** @module vitest.config: the paper's tests; the CLI test spawns tsx processes, slow on a loaded machine. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
  },
});
