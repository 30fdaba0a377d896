/** @module routes/edit-events: GET /v1/edits/{id}/events: an edit's status and progress as server-sent events. */
import { createRoute, z } from "@hono/zod-openapi";
import { EditEvent, EditIdInPath } from "@stochedit/shared";
import { streamSSE } from "hono/streaming";
import { requireScope } from "../auth/require-scope.js";
import { readConfig } from "../config.js";
import { readEdit } from "../db/edits.js";
import { streamEditEvents } from "../edits/edit-events.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";

export const editEventRoutes = newRouter();

const getEvents = createRoute({
  method: "get",
  path: "/v1/edits/{id}/events",
  tags: ["edits"],
  summary: "Server-sent events: `status` on connect and on each change, `progress` per step; ends after a final status",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { params: z.object({ id: EditIdInPath.meta({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: {
      description: "An event stream; each `data:` line is an EditEvent, its `event:` line the event's type",
      content: { "text/event-stream": { schema: EditEvent } },
    },
    ...problemResponses(...authProblems, "forbidden", "not_found"),
  },
});

editEventRoutes.openapi(getEvents, async (c) => {
  const { id } = c.req.valid("param");
  const scope = c.get("caller");
  if (!(await readEdit(c.env.DB, scope, id))) throw new ApiError("not_found", `edit ${id} does not exist`);
  const pollMs = readConfig(c.env).ssePollMs;
  return streamSSE(c, (stream) => streamEditEvents(stream, c.env.DB, { scope, editId: id, pollMs }));
});
