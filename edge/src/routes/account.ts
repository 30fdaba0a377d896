/**
 * @module routes/account: GET /v1/account (balance, held amount and the newest ledger entries of the caller's
 * account) and GET /v1/account/ledger (every ledger entry, a page at a time). Both need edits:read.
 */
import { createRoute } from "@hono/zod-openapi";
import { AccountView, LedgerListQuery, LedgerPage } from "@stochedit/shared";
import { requireScope } from "../auth/require-scope.js";
import { decodeLedgerCursor, encodeLedgerCursor } from "../billing/ledger-cursor.js";
import { listLedger, readAccountView } from "../db/accounts.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";

export const accountRoutes = newRouter();

const getAccount = createRoute({
  method: "get",
  path: "/v1/account",
  tags: ["account"],
  summary: "The caller's account: available balance, held credits and the latest ledger entries",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  responses: {
    200: { description: "The account", content: { "application/json": { schema: AccountView } } },
    ...problemResponses(...authProblems, "forbidden"),
  },
});

accountRoutes.openapi(getAccount, async (c) => {
  const account = await readAccountView(c.env.DB, c.get("caller"));
  if (!account) throw new ApiError("not_found", "the account of this key no longer exists");
  return c.json(account, 200);
});

const listLedgerRoute = createRoute({
  method: "get",
  path: "/v1/account/ledger",
  tags: ["account"],
  summary:
    "Every ledger entry of the caller's account in the key's mode, newest first; pass next_cursor as cursor for " +
    "the next page. A live key's entries add up to the balance, their held_change to the held amount; a test " +
    "key's entries move 0",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { query: LedgerListQuery },
  responses: {
    200: { description: "A page of ledger entries", content: { "application/json": { schema: LedgerPage } } },
    ...problemResponses(...authProblems, "forbidden", "validation_failed"),
  },
});

accountRoutes.openapi(listLedgerRoute, async (c) => {
  const query = c.req.valid("query");
  const { entries, hasMore } = await listLedger(c.env.DB, c.get("caller"), {
    limit: query.limit,
    beforeId: query.cursor === undefined ? undefined : decodeLedgerCursor(query.cursor),
  });
  const last = entries.at(-1);
  return c.json({ data: entries, next_cursor: hasMore && last ? encodeLedgerCursor(last.id) : null }, 200);
});
