/** @module vitest.config: edge tests run inside workerd with real D1 and Durable Objects, and s3rver on loopback. */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Test-only credentials: s3rver accepts S3RVER/S3RVER; the tokens are fixed, obviously fake values. Timings: leases
 * run out in the tests by moving their deadline, so the TTL stays long; webhooks may go to the loopback receiver.
 */
export const testBindings = {
  S3_BUCKET: "stochedit-test",
  S3_REGION: "us-east-1",
  S3_ACCESS_KEY_ID: "S3RVER",
  S3_SECRET_ACCESS_KEY: "S3RVER",
  OPERATOR_TOKEN: "test-operator-token-not-a-secret-0123456789",
  RUNNER_HMAC_SECRET: "test-runner-secret-not-a-secret-0123456789",
  METRICS_TOKEN: "test-metrics-token-not-a-secret-0123456789",
  SERVED_MODELS: "stochedit-mini,sd15-test",
  MAX_ATTEMPTS: "2",
  PROGRESS_WRITE_MIN_MS: "60000",
  SSE_POLL_MS: "10",
  WEBHOOK_RETRY_DELAYS_SECONDS: "1,2,3",
  WEBHOOK_TIMEOUT_MS: "1500",
  WEBHOOK_ALLOW_LOCALHOST: "true",
  // SELF.fetch sends no CF-Connecting-IP, so only the tests that send one meet this limit.
  IP_RATE_LIMIT_PER_MINUTE: "5",
};

// Otherwise wrangler warns on every test file that [secrets] is experimental and that the secrets (test bindings
// here) are missing from .dev.vars.
process.env.WRANGLER_LOG ??= "error";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./src/index.ts",
      wrangler: { configPath: "../wrangler.toml" },
      miniflare: { bindings: { ...testBindings, S3_ENDPOINT: inject("s3Endpoint") } },
    })),
  ],
  test: {
    globalSetup: ["./vitest.global-setup.ts"],
    setupFiles: ["./src/test-support/apply-migrations.ts"],
    // Some tests make dozens of concurrent requests through workerd: seconds on an idle 2-core machine, more on a
    // loaded one.
    testTimeout: 60_000,
  },
});
