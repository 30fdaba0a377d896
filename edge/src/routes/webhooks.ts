/** @module routes/webhooks: the account's webhook signing secret (read, rotate) and an edit's delivery log. */
import { createRoute, z } from "@hono/zod-openapi";
import { EditIdInPath, WebhookDeliveryList, WebhookSecret } from "@stochedit/shared";
import { requireScope } from "../auth/require-scope.js";
import { readEdit } from "../db/edits.js";
import { listWebhookDeliveries } from "../db/webhook-deliveries.js";
import { currentWebhookSecret, rotateWebhookSecret, type WebhookSecretRow } from "../db/webhook-secrets.js";
import { ApiError } from "../http/api-error.js";
import { apiKeySecurity, authProblems, newRouter, problemResponses } from "../http/router.js";
import { newWebhookSecret } from "../webhooks/webhook-signature.js";

export const webhookRoutes = newRouter();

const secretView = (row: WebhookSecretRow) => ({
  secret: row.secret,
  created_at: new Date(row.created_at).toISOString(),
});

const getSecret = createRoute({
  method: "get",
  path: "/v1/account/webhook-secret",
  tags: ["webhooks"],
  summary: "The whsec_ secret webhooks are signed with (Standard Webhooks); made on first request",
  security: apiKeySecurity,
  // Anyone holding the secret can forge webhooks to the account's receivers: a write scope, not a read one.
  middleware: [requireScope("edits:write")] as const,
  responses: {
    200: { description: "The current secret", content: { "application/json": { schema: WebhookSecret } } },
    ...problemResponses(...authProblems, "forbidden"),
  },
});

webhookRoutes.openapi(getSecret, async (c) => {
  const secret = await currentWebhookSecret(c.env.DB, c.get("caller").accountId, newWebhookSecret(), Date.now());
  return c.json(secretView(secret), 200);
});

const rotateSecret = createRoute({
  method: "post",
  path: "/v1/account/webhook-secret/rotate",
  tags: ["webhooks"],
  summary: "Replace the webhook secret; for 24 h deliveries carry signatures with both the old and the new one",
  security: apiKeySecurity,
  middleware: [requireScope("edits:write")] as const,
  responses: {
    200: { description: "The new secret", content: { "application/json": { schema: WebhookSecret } } },
    ...problemResponses(...authProblems, "forbidden"),
  },
});

webhookRoutes.openapi(rotateSecret, async (c) => {
  const secret = await rotateWebhookSecret(c.env.DB, c.get("caller").accountId, newWebhookSecret(), Date.now());
  return c.json(secretView(secret), 200);
});

const listDeliveries = createRoute({
  method: "get",
  path: "/v1/edits/{id}/deliveries",
  tags: ["webhooks"],
  summary: "Every webhook delivery attempt for the edit, oldest first",
  security: apiKeySecurity,
  middleware: [requireScope("edits:read")] as const,
  request: { params: z.object({ id: EditIdInPath.meta({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: { description: "The attempts", content: { "application/json": { schema: WebhookDeliveryList } } },
    ...problemResponses(...authProblems, "forbidden", "not_found"),
  },
});

webhookRoutes.openapi(listDeliveries, async (c) => {
  const { id } = c.req.valid("param");
  if (!(await readEdit(c.env.DB, c.get("caller"), id))) {
    throw new ApiError("not_found", `edit ${id} does not exist`);
  }
  return c.json({ data: await listWebhookDeliveries(c.env.DB, id) }, 200);
});
