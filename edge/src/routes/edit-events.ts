/** @module routes/edit-events: GET /v1/edits/{id}/events: an edit's status, progress and previews as server-sent events. */
import { createRoute, z } from "@hono/zod-openapi";
import { EditEvent, EditIdInPath } from "@stochedit/shared";
import { streamSSE } from "hono/streaming";
import { requireScope } from "../auth/require-scope.js";
import { readConfig } from "../config.js";
import { readEdit, storedRequest } from "../db/edits.js";
import { streamEditEvents } from "../edits/edit-events.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";

export const editEventRoutes = newRouter();

const getEvents = createRoute({
  method: "get",
  path: "/v1/edits/{id}/events",
  tags: ["edits"],
  summary:
    "Server-sent events: `status` on connect and on each change, `progress` per step, `preview` per preview; ends " +
    "after a final status",
  description:
    "Each `preview` event carries the JPEG inline (a data URL) and its sequence number as the event `id:`; a " +
    "reconnect that sends Last-Event-ID gets only the previews after it, one without gets every preview again.",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: {
    params: z.object({ id: EditIdInPath.meta({ param: { name: "id", in: "path" } }) }),
    headers: z.object({
      "last-event-id": z
        .string()
        .optional()
        .meta({ description: "The `id:` of the last preview event received; others are ignored" }),
    }),
  },
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
  const row = await readEdit(c.env.DB, scope, id);
  if (!row) throw new ApiError("not_found", `edit ${id} does not exist`);
  const previews = storedRequest(row).previews > 0;
  const afterSeq = previewSeq(c.req.valid("header")["last-event-id"]);
  const pollMs = readConfig(c.env).ssePollMs;
  return streamSSE(c, (stream) =>
    streamEditEvents(stream, c.env.DB, { scope, editId: id, pollMs, previews, afterSeq }),
  );
});

/** Last-Event-ID as a preview's sequence number; anything else (a client's own id, garbage) counts as none. */
function previewSeq(lastEventId: string | undefined): number {
  const seq = Number(lastEventId);
  return lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId) && Number.isSafeInteger(seq) ? seq : 0;
}
