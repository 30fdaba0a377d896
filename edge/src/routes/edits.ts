/** @module routes/edits: submit, read, list and cancel edits (jobs) of the caller's account. */
import { createRoute, z } from "@hono/zod-openapi";
import { Edit, EditAccepted, EditIdInPath, EditList, EditListQuery, EditRequest } from "@stochedit/shared";
import { requireScope } from "../auth/require-scope.js";
import { readConfig } from "../config.js";
import { listEdits, readEdit, readEditAncestors } from "../db/edits.js";
import { cancelEdit } from "../edits/cancel-edit.js";
import { decodeEditCursor, encodeEditCursor } from "../edits/edit-cursor.js";
import { purgeEditPixels } from "../edits/purge-edit.js";
import { idempotencyKeyTtlMs, submitEdit } from "../edits/submit-edit.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";
import { acceptedView, editView, keptOutput, presignOutput } from "../views/edit-view.js";

export const editRoutes = newRouter();

const IdempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "must be 1-255 visible ASCII characters")
    .optional()
    .meta({
      description:
        `Same key + same body returns the original edit; same key + another body is a 409. A key expires ` +
        `${idempotencyKeyTtlMs / 3_600_000} hours after it created its edit; after that it makes a new edit.`,
    }),
});
const EditParams = z.object({ id: EditIdInPath.meta({ param: { name: "id", in: "path" } }) });

const postEdit = createRoute({
  method: "post",
  path: "/v1/edits",
  tags: ["edits"],
  summary: "Submit an edit: its price is held, and captured only if it succeeds",
  security: apiKeySecurity,
  middleware: [requireScope("edits:write")] as const,
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { "application/json": { schema: EditRequest } } },
  },
  responses: {
    202: {
      description: "Queued (or the original edit of a retried request)",
      content: { "application/json": { schema: EditAccepted } },
    },
    ...problemResponses(
      ...authProblems,
      "forbidden",
      "validation_failed",
      "price_above_max",
      "bad_request",
      "insufficient_credits",
      "idempotency_conflict",
      "unavailable",
    ),
  },
});

editRoutes.openapi(postEdit, async (c) => {
  const { edit, replayed } = await submitEdit(
    c.env,
    readConfig(c.env),
    c.get("caller"),
    c.req.valid("json"),
    c.req.valid("header")["idempotency-key"],
  );
  if (replayed) c.header("Idempotent-Replayed", "true");
  return c.json(acceptedView(edit), 202);
});

const getEdit = createRoute({
  method: "get",
  path: "/v1/edits/{id}",
  tags: ["edits"],
  summary: "One edit: status, progress, price and charge, and the output once it succeeded",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { params: EditParams },
  responses: {
    200: { description: "The edit", content: { "application/json": { schema: Edit } } },
    ...problemResponses(...authProblems, "forbidden", "not_found"),
  },
});

editRoutes.openapi(getEdit, async (c) => {
  const { id } = c.req.valid("param");
  const scope = c.get("caller");
  const row = await readEdit(c.env.DB, scope, id);
  if (!row) throw new ApiError("not_found", `edit ${id} does not exist`);
  const view = await editView(row, readConfig(c.env).s3, Date.now());
  if (row.parent_edit_id !== null) view.chain = await readEditAncestors(c.env.DB, scope.accountId, id);
  return c.json(view, 200);
});

const listEditsRoute = createRoute({
  method: "get",
  path: "/v1/edits",
  tags: ["edits"],
  summary: "The account's edits, newest first; pass next_cursor as cursor for the next page",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { query: EditListQuery },
  responses: {
    200: { description: "A page of edits", content: { "application/json": { schema: EditList } } },
    ...problemResponses(...authProblems, "forbidden", "validation_failed"),
  },
});

editRoutes.openapi(listEditsRoute, async (c) => {
  const query = c.req.valid("query");
  const { rows, hasMore } = await listEdits(c.env.DB, c.get("caller"), {
    status: query.status,
    limit: query.limit,
    after: query.cursor === undefined ? undefined : decodeEditCursor(query.cursor),
  });
  const s3 = readConfig(c.env).s3;
  const nowMs = Date.now();
  const last = rows.at(-1);
  return c.json(
    {
      data: await Promise.all(rows.map((row) => editView(row, s3, nowMs))),
      next_cursor: hasMore && last ? encodeEditCursor({ createdAtMs: last.created_at, id: last.id }) : null,
    },
    200,
  );
});

const postCancel = createRoute({
  method: "post",
  path: "/v1/edits/{id}/cancel",
  tags: ["edits"],
  summary: "Cancel an edit that has not finished and release its hold; a finished edit is returned as it is",
  security: apiKeySecurity,
  middleware: [requireScope("edits:write")] as const,
  request: { params: EditParams },
  responses: {
    200: { description: "The edit after the cancel", content: { "application/json": { schema: Edit } } },
    ...problemResponses(...authProblems, "forbidden", "not_found"),
  },
});

editRoutes.openapi(postCancel, async (c) => {
  const row = await cancelEdit(c.env, c.get("caller"), c.req.valid("param").id);
  return c.json(await editView(row, readConfig(c.env).s3, Date.now()), 200);
});

const getOutput = createRoute({
  method: "get",
  path: "/v1/edits/{id}/output",
  tags: ["edits"],
  summary: "Redirects (302) to a fresh presigned URL of a succeeded edit's output; 410 once it was deleted",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { params: EditParams },
  responses: {
    302: { description: "Location: the output's presigned GET URL (valid one hour)" },
    ...problemResponses(...authProblems, "forbidden", "not_found", "conflict", "gone"),
  },
});

editRoutes.openapi(getOutput, async (c) => {
  const { id } = c.req.valid("param");
  const row = await readEdit(c.env.DB, c.get("caller"), id);
  if (!row) throw new ApiError("not_found", `edit ${id} does not exist`);
  if (row.purged_at !== null) {
    throw new ApiError("gone", `the pixels of edit ${id} were deleted at ${new Date(row.purged_at).toISOString()}`);
  }
  const output = keptOutput(row);
  if (!output) throw new ApiError("conflict", `edit ${id} is ${row.status}: only a succeeded edit has an output`);
  const url = await presignOutput(readConfig(c.env).s3, output.key, Date.now());
  return c.redirect(url.url, 302);
});

const deleteOutput = createRoute({
  method: "delete",
  path: "/v1/edits/{id}/output",
  tags: ["edits"],
  summary:
    "Deletes an ended edit's pixels now (its output, and the uploads no other kept edit uses); the edit and its " +
    "ledger rows stay. Repeating it is harmless",
  security: apiKeySecurity,
  middleware: [requireScope("edits:write")] as const,
  request: { params: EditParams },
  responses: {
    200: { description: "The edit, purged_at set", content: { "application/json": { schema: Edit } } },
    ...problemResponses(...authProblems, "forbidden", "not_found", "conflict"),
  },
});

editRoutes.openapi(deleteOutput, async (c) => {
  const { id } = c.req.valid("param");
  const scope = c.get("caller");
  const db = c.env.DB;
  const row = await readEdit(db, scope, id);
  if (!row) throw new ApiError("not_found", `edit ${id} does not exist`);
  const s3 = readConfig(c.env).s3;
  const nowMs = Date.now();
  if (row.purged_at === null && !(await purgeEditPixels(db, s3, row, nowMs))) {
    throw new ApiError("conflict", `edit ${id} is ${row.status}: cancel it or wait for it to end first`);
  }
  const purged = await readEdit(db, scope, id);
  return c.json(await editView(purged!, s3, nowMs), 200);
});
