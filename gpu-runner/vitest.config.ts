/**
 * @module vitest.config: the runner's tests. Many start processes or ONNX sessions (a few seconds each on an idle
 * 2-core machine), so every test gets 60 s: enough on a loaded machine, still a bound on a hung one.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
