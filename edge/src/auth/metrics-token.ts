/** @module metrics-token: middleware for GET /internal/metrics: `Authorization: Bearer <METRICS_TOKEN>` (the autoscaler's). */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { secretsEqual } from "./digest.js";

/** A separate token from the runners' secret: the autoscaler may read the backlog and nothing else. */
export const minMetricsTokenLength = 32;

export function metricsAuth(): MiddlewareHandler<AppEnv> {
  return async function metricsAuthMiddleware(c, next) {
    const expected = c.env.METRICS_TOKEN;
    if (!expected || expected.length < minMetricsTokenLength) {
      throw new ApiError("unavailable", "the metrics route is disabled: METRICS_TOKEN is not configured");
    }
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!presented || !(await secretsEqual(presented, expected))) {
      throw new ApiError("unauthorized", "the metrics route needs `Authorization: Bearer <metrics token>`", {
        headers: { "WWW-Authenticate": 'Bearer realm="stochedit-metrics"' },
      });
    }
    await next();
  };
}
