/** @module require-scope: middleware that lets a request through only if its API key has the given scope. */
import { allScopes, type Scope } from "@stochedit/shared";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  if (!allScopes.includes(scope)) throw new Error(`requireScope: scope given as ${scope} must be one of ${allScopes}`);
  return async function requireScopeMiddleware(c, next) {
    const caller = c.get("caller");
    if (!caller.scopes.includes(scope)) {
      throw new ApiError("forbidden", `this API key lacks the ${scope} scope (it has: ${caller.scopes.join(", ")})`);
    }
    await next();
  };
}
