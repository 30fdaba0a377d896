/** @module routes/uploads: POST /v1/uploads: a presigned PUT URL for an image or mask. */
import { createRoute } from "@hono/zod-openapi";
import { UploadRequest, UploadResponse } from "@stochedit/shared";
import { requireScope } from "../auth/require-scope.js";
import { readConfig } from "../config.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";
import { createUpload } from "../storage/create-upload.js";

export const uploadRoutes = newRouter();

const postUpload = createRoute({
  method: "post",
  path: "/v1/uploads",
  tags: ["uploads"],
  summary: "Get a short-lived presigned PUT URL; PUT the file there with exactly the returned headers",
  security: apiKeySecurity,
  middleware: [requireScope("edits:write")] as const,
  request: { body: { required: true, content: { "application/json": { schema: UploadRequest } } } },
  responses: {
    201: { description: "Where to PUT the file", content: { "application/json": { schema: UploadResponse } } },
    ...problemResponses(...authProblems, "forbidden", "validation_failed", "bad_request"),
  },
});

uploadRoutes.openapi(postUpload, async (c) => {
  const upload = await createUpload(c.env.DB, readConfig(c.env), c.get("caller"), c.req.valid("json"), Date.now());
  return c.json(upload, 201);
});
