/**
 * @module fast-edge: edge vars that make leases, retries and webhooks fast enough for tests that take seconds, and
 * rate limits (per key and per address) the tests' status polling (every 50 ms) never reaches.
 */
export const fastEdgeVars = {
  // Short enough that a lost lease is noticed within a test, long enough that a runner or workerd starved of CPU on
  // a busy 2-core machine still renews in time (1.5 s once expired a healthy runner's lease in CI).
  LEASE_TTL_MS: "5000",
  // Room for such a spurious expiry on top of the one a test causes, without the edit failing.
  MAX_ATTEMPTS: "5",
  WEBHOOK_RETRY_DELAYS_SECONDS: "1,1,1",
  WEBHOOK_ALLOW_LOCALHOST: "true",
  RATE_LIMIT_PER_MINUTE: "100000",
  // Every request of the tests comes from 127.0.0.1.
  IP_RATE_LIMIT_PER_MINUTE: "100000",
} as const;
