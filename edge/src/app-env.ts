/** @module app-env: the Hono environment of the edge app: bindings and per-request variables. */
import type { Scope } from "@stochedit/shared";

/** The authenticated caller, set by `apiKeyAuth`. */
export interface Caller {
  accountId: string;
  keyId: string;
  scopes: readonly Scope[];
  rateLimitPerMinute: number | null;
}

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; caller: Caller };
};
