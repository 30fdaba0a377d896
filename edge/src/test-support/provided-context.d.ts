/** @module provided-context: what vitest.global-setup.ts provides to the tests (vitest's `inject`). */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** s3rver's base URL on loopback. */
    s3Endpoint: string;
    /** The webhook receiver's base URL on loopback (src/test-support/webhook-receiver.ts). */
    webhookReceiver: string;
    d1Migrations: { name: string; queries: string[] }[];
  }
}
