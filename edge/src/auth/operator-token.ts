/** @module operator-token: middleware for /admin/*: `Authorization: Bearer <OPERATOR_TOKEN>`, compared in constant time. */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { secretsEqual } from "./digest.js";

/** Shorter tokens are refused as configuration: an operator token guards every account's money. */
export const minOperatorTokenLength = 32;

export function operatorAuth(): MiddlewareHandler<AppEnv> {
  return async function operatorAuthMiddleware(c, next) {
    const expected = c.env.OPERATOR_TOKEN;
    if (!expected || expected.length < minOperatorTokenLength) {
      console.error(JSON.stringify({ level: "error", message: "OPERATOR_TOKEN is unset or too short" }));
      throw new ApiError("unavailable", "admin routes are disabled: the operator token is not configured");
    }
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!presented || !(await secretsEqual(presented, expected))) {
      throw new ApiError("unauthorized", "admin routes need `Authorization: Bearer <operator token>`", {
        headers: { "WWW-Authenticate": 'Bearer realm="stochedit-admin"' },
      });
    }
    await next();
  };
}
