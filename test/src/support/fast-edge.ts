/**
 * @module fast-edge: edge vars that make leases, retries and webhooks fast enough for tests that take seconds, and
 * a rate limit the tests' status polling (every 50 ms) never reaches.
 */
export const fastEdgeVars = {
  LEASE_TTL_MS: "1500",
  MAX_ATTEMPTS: "3",
  WEBHOOK_RETRY_DELAYS_SECONDS: "1,1,1",
  WEBHOOK_ALLOW_LOCALHOST: "true",
  RATE_LIMIT_PER_MINUTE: "100000",
} as const;
