/** @module routes/admin: operator routes: create accounts, grant credits, mint, list and revoke API keys. */
import { createRoute, z } from "@hono/zod-openapi";
import {
  AccountIdInPath,
  AccountView,
  ApiKeyIdInPath,
  ApiKeyView,
  CreateAccountRequest,
  CreatedKey,
  CreateKeyRequest,
  GrantCreditsRequest,
} from "@stochedit/shared";
import { apiKeyView } from "../auth/api-key-view.js";
import { issueApiKey } from "../auth/issue-api-key.js";
import { forgetApiKey } from "../auth/key-cache.js";
import { grantCredits } from "../billing/ledger.js";
import { accountView, insertAccount, readAccount } from "../db/accounts.js";
import { listApiKeys, revokeApiKey } from "../db/api-keys.js";
import { ApiError } from "../http/api-error.js";
import { newRouter, operatorSecurity, problemResponses } from "../http/router.js";
import { newAccountId } from "../ids.js";

export const adminRoutes = newRouter();

const adminProblems = ["unauthorized", "internal", "unavailable"] as const;
/** Routes with a JSON body can also refuse it. */
const bodyProblems = ["validation_failed", "bad_request"] as const;
const AccountParams = z.object({ account: AccountIdInPath.meta({ param: { name: "account", in: "path" } }) });
const KeyParams = AccountParams.extend({ key: ApiKeyIdInPath.meta({ param: { name: "key", in: "path" } }) });

async function requireAccount(db: D1Database, accountId: string) {
  const account = await readAccount(db, accountId);
  if (!account) throw new ApiError("not_found", `account ${accountId} does not exist`);
  return account;
}

const postAccount = createRoute({
  method: "post",
  path: "/admin/accounts",
  tags: ["admin"],
  summary: "Create an account (with no credits)",
  security: operatorSecurity,
  request: { body: { required: true, content: { "application/json": { schema: CreateAccountRequest } } } },
  responses: {
    201: { description: "The new account", content: { "application/json": { schema: AccountView } } },
    ...problemResponses(...adminProblems, ...bodyProblems),
  },
});

adminRoutes.openapi(postAccount, async (c) => {
  const id = newAccountId();
  await insertAccount(c.env.DB, { id, name: c.req.valid("json").name, nowMs: Date.now() });
  return c.json(await accountView(c.env.DB, await requireAccount(c.env.DB, id)), 201);
});

const getAccount = createRoute({
  method: "get",
  path: "/admin/accounts/{account}",
  tags: ["admin"],
  summary: "Any account, with its balance and recent ledger",
  security: operatorSecurity,
  request: { params: AccountParams },
  responses: {
    200: { description: "The account", content: { "application/json": { schema: AccountView } } },
    ...problemResponses(...adminProblems, "not_found"),
  },
});

adminRoutes.openapi(getAccount, async (c) => {
  const account = await requireAccount(c.env.DB, c.req.valid("param").account);
  return c.json(await accountView(c.env.DB, account), 200);
});

const postCredits = createRoute({
  method: "post",
  path: "/admin/accounts/{account}/credits",
  tags: ["admin"],
  summary: "Grant micro-credits to an account (a ledger entry of kind grant)",
  security: operatorSecurity,
  request: {
    params: AccountParams,
    body: { required: true, content: { "application/json": { schema: GrantCreditsRequest } } },
  },
  responses: {
    200: { description: "The account after the grant", content: { "application/json": { schema: AccountView } } },
    ...problemResponses(...adminProblems, ...bodyProblems, "not_found"),
  },
});

adminRoutes.openapi(postCredits, async (c) => {
  const { account } = c.req.valid("param");
  const grant = c.req.valid("json");
  const granted = await grantCredits(c.env.DB, {
    accountId: account,
    amountMicro: grant.amount,
    note: grant.note ?? null,
    nowMs: Date.now(),
  });
  if (!granted) throw new ApiError("not_found", `account ${account} does not exist`);
  return c.json(await accountView(c.env.DB, await requireAccount(c.env.DB, account)), 200);
});

const postKey = createRoute({
  method: "post",
  path: "/admin/accounts/{account}/keys",
  tags: ["admin"],
  summary: "Mint an API key; the full key is in this response only",
  security: operatorSecurity,
  request: {
    params: AccountParams,
    body: { required: true, content: { "application/json": { schema: CreateKeyRequest } } },
  },
  responses: {
    201: { description: "The new key", content: { "application/json": { schema: CreatedKey } } },
    ...problemResponses(...adminProblems, ...bodyProblems, "not_found"),
  },
});

adminRoutes.openapi(postKey, async (c) => {
  const { account } = c.req.valid("param");
  await requireAccount(c.env.DB, account);
  return c.json(await issueApiKey(c.env.DB, account, c.req.valid("json"), Date.now()), 201);
});

const listKeys = createRoute({
  method: "get",
  path: "/admin/accounts/{account}/keys",
  tags: ["admin"],
  summary: "The account's API keys (public prefixes only), oldest first",
  security: operatorSecurity,
  request: { params: AccountParams },
  responses: {
    200: {
      description: "The keys",
      content: { "application/json": { schema: z.object({ data: z.array(ApiKeyView) }) } },
    },
    ...problemResponses(...adminProblems, "not_found"),
  },
});

adminRoutes.openapi(listKeys, async (c) => {
  const { account } = c.req.valid("param");
  await requireAccount(c.env.DB, account);
  return c.json({ data: (await listApiKeys(c.env.DB, account)).map(apiKeyView) }, 200);
});

const postRevoke = createRoute({
  method: "post",
  path: "/admin/accounts/{account}/keys/{key}/revoke",
  tags: ["admin"],
  summary: "Revoke an API key: it is refused from the next request on (within a second at every edge location)",
  security: operatorSecurity,
  request: { params: KeyParams },
  responses: {
    200: { description: "The revoked key", content: { "application/json": { schema: ApiKeyView } } },
    ...problemResponses(...adminProblems, "not_found"),
  },
});

adminRoutes.openapi(postRevoke, async (c) => {
  const { account, key } = c.req.valid("param");
  const revoked = await revokeApiKey(c.env.DB, account, key, Date.now());
  forgetApiKey(key);
  if (!revoked) throw new ApiError("not_found", `account ${account} has no key ${key}`);
  return c.json(apiKeyView(revoked), 200);
});
