/** @module routes/quote: POST /v1/quote: the price of an edit request, checked like a submission, nothing run or held. */
import { createRoute } from "@hono/zod-openapi";
import { EditRequest, Quote } from "@stochedit/shared";
import { requireScope } from "../auth/require-scope.js";
import { readConfig } from "../config.js";
import { uploadedInputs } from "../edits/edit-inputs.js";
import { checkEditSettings, inspectEdit } from "../edits/inspect-edit.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";

export const quoteRoutes = newRouter();

const postQuote = createRoute({
  method: "post",
  path: "/v1/quote",
  tags: ["edits"],
  summary: "Price an edit request (in micro-credits) without running it; the image must be uploaded",
  security: apiKeySecurity,
  middleware: [requireScope("edits:write")] as const,
  request: { body: { required: true, content: { "application/json": { schema: EditRequest } } } },
  responses: {
    200: { description: "The price and the work behind it", content: { "application/json": { schema: Quote } } },
    ...problemResponses(...authProblems, "forbidden", "validation_failed", "bad_request"),
  },
});

quoteRoutes.openapi(postQuote, async (c) => {
  const config = readConfig(c.env);
  const request = c.req.valid("json");
  checkEditSettings(config, c.get("caller"), request);
  const inputs = await uploadedInputs(c.env.DB, c.get("caller"), request);
  const inspected = await inspectEdit(config, request, inputs);
  return c.json(inspected.quote, 200);
});
