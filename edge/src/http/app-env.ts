/** @module app-env: the Hono environment of the edge app: bindings and per-request variables. */
import type { Scope } from "@stochedit/shared";
import type { DataScope } from "../db/data-scope.js";

/** The authenticated caller, set by `apiKeyAuth`: its account and its key's mode are the data it may see. */
export interface Caller extends DataScope {
  keyId: string;
  scopes: readonly Scope[];
  rateLimitPerMinute: number | null;
}

/**
 * Set only by `wrangler dev --var` (scripts/local-stack/edge-dev.ts): a random id per start, echoed by GET /healthz.
 * Not in wrangler.toml: deployments never set it.
 */
export interface InstanceVars {
  EDGE_INSTANCE_ID?: string;
}

export type AppEnv = {
  Bindings: Env & InstanceVars;
  Variables: { requestId: string; caller: Caller };
};
