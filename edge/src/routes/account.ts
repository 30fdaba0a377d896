/** @module routes/account: GET /v1/account: balance, held amount and recent ledger entries of the caller's account. */
import { createRoute } from "@hono/zod-openapi";
import { AccountView } from "@stochedit/shared";
import { accountView, readAccount } from "../db/accounts.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";

export const accountRoutes = newRouter();

const getAccount = createRoute({
  method: "get",
  path: "/v1/account",
  tags: ["account"],
  summary: "The caller's account: available balance, held credits and the latest ledger entries",
  security: apiKeySecurity,
  responses: {
    200: { description: "The account", content: { "application/json": { schema: AccountView } } },
    ...problemResponses(...authProblems),
  },
});

accountRoutes.openapi(getAccount, async (c) => {
  const account = await readAccount(c.env.DB, c.get("caller").accountId);
  if (!account) throw new ApiError("not_found", "the account of this key no longer exists");
  return c.json(await accountView(c.env.DB, account), 200);
});
