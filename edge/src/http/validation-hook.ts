/** @module validation-hook: the zod-openapi defaultHook: a failed schema becomes a 422 with field paths. */

import type { Hook } from "@hono/zod-openapi";
import { fieldErrors } from "@stochedit/shared";
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
  const errors = fieldErrors(result.error.issues);
  const where = targetNames[result.target] ?? result.target;
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
  throw new ApiError("validation_failed", `the request ${where} is invalid: ${summary}`, { errors });
};
