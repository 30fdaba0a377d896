/** @module routes/edit-previews: GET /v1/edits/{id}/previews: the latest run's previews, for clients that poll. */
import { createRoute, z } from "@hono/zod-openapi";
import { EditId, EditPreviewList } from "@stochedit/shared";
import { requireScope } from "../auth/require-scope.js";
import { listEditPreviews } from "../db/edit-previews.js";
import { readEdit } from "../db/edits.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";
import { previewView } from "../views/edit-view.js";

export const editPreviewRoutes = newRouter();

const getPreviews = createRoute({
  method: "get",
  path: "/v1/edits/{id}/previews",
  tags: ["edits"],
  summary: "The previews the edit's latest run has sent so far, in order, each a JPEG data URL",
  description:
    "The same previews the event stream sends as `preview` events, for clients that cannot read a stream: poll " +
    "GET /v1/edits/{id} and read this list when `previews_ready` changes (fewer than before: a retry started over).",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { params: z.object({ id: EditId.meta({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: { description: "The previews, by index", content: { "application/json": { schema: EditPreviewList } } },
    ...problemResponses(...authProblems, "forbidden", "not_found", "validation_failed"),
  },
});

editPreviewRoutes.openapi(getPreviews, async (c) => {
  const { id } = c.req.valid("param");
  if (!(await readEdit(c.env.DB, c.get("caller"), id))) {
    throw new ApiError("not_found", `edit ${id} does not exist`);
  }
  const rows = await listEditPreviews(c.env.DB, id);
  return c.json({ data: rows.map(previewView) }, 200);
});
