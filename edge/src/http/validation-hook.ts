/** @module validation-hook: the zod-openapi defaultHook: a failed schema becomes a 422 with field paths. */

import type { Hook } from "@hono/zod-openapi";
import { fieldErrors } from "@stochedit/shared";
import type { z } from "zod";
import { ApiError } from "./api-error.js";
import type { AppEnv } from "./app-env.js";

const targetNames: Record<string, string> = {
  json: "body",
  query: "query",
  param: "path",
  header: "header",
  form: "form",
  cookie: "cookie",
};

/** Throws, so the problem is rendered once, by `app.onError`. */
export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (result.success) return;
  throw invalidRequest(targetNames[result.target] ?? result.target, result.error.issues);
};

/** The 422 for a part of the request (`where`: body, query, ...) that its schema refused, with each field's path. */
export function invalidRequest(where: string, issues: readonly z.core.$ZodIssue[]): ApiError {
  const errors = fieldErrors(issues);
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
  return new ApiError("validation_failed", `the request ${where} is invalid: ${summary}`, { errors });
}
