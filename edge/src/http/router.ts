/** @module router: a new OpenAPIHono router with the edge's env and validation hook, and shared OpenAPI pieces. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { Problem, type ProblemCode, problemCodes } from "@stochedit/shared";
import type { AppEnv } from "./app-env.js";
import { validationHook } from "./validation-hook.js";

export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export const apiKeySecurity = [{ apiKey: [] }];
export const operatorSecurity = [{ operatorToken: [] }];

/** OpenAPI entries for the problems a route can answer with. */
export function problemResponses(...codes: ProblemCode[]) {
  const responses: Record<
    number,
    { description: string; content: { "application/problem+json": { schema: typeof Problem } } }
  > = {};
  for (const code of codes) {
    const status = problemCodes[code];
    const described = responses[status]?.description;
    responses[status] = {
      description: described ? `${described} or ${code}` : code,
      content: { "application/problem+json": { schema: Problem } },
    };
  }
  return responses;
}

/** Every authenticated /v1 route can answer these. */
export const authProblems = ["unauthorized", "rate_limited", "internal"] as const satisfies ProblemCode[];
