import { env } from "cloudflare:test";
import type { WebhookDeliveryList } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { signingSecrets } from "../db/webhook-secrets.js";
import { call, createAccount, createCustomer, createKey, expectProblem } from "../test-support/api.js";
import { submitAccepted, uploadPng } from "../test-support/edits.js";
import { newWebhookSecret } from "../webhooks/webhook-signature.js";

type SecretView = { secret: string; created_at: string };

describe("GET /v1/account/webhook-secret", () => {
  it("makes the account's whsec_ secret on first request and returns the same one afterwards", async () => {
    const customer = await createCustomer("secret-stable");
    const first = await call<SecretView>("GET", "/v1/account/webhook-secret", { token: customer.key });
    expect(first.status).toBe(200);
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const second = await call<SecretView>("GET", "/v1/account/webhook-secret", { token: customer.key });
    expect(second.body).toEqual(first.body);
    const other = await createCustomer("secret-other");
    const theirs = await call<SecretView>("GET", "/v1/account/webhook-secret", { token: other.key });
    expect(theirs.body.secret).not.toBe(first.body.secret);
  });

  it("is not shown to a key that can only read", async () => {
    const account = await createAccount("secret-read-only");
    const readOnly = await createKey(account.id, { scopes: ["edits:read"] });
    expectProblem(await call("GET", "/v1/account/webhook-secret", { token: readOnly.key }), 403, "forbidden");
    expectProblem(await call("GET", "/v1/account/webhook-secret"), 401, "unauthorized");
  });

  it("rotates to a new secret; the old one keeps signing beside it for the grace period", async () => {
    const customer = await createCustomer("secret-rotate");
    const old = (await call<SecretView>("GET", "/v1/account/webhook-secret", { token: customer.key })).body;
    const rotated = await call<SecretView>("POST", "/v1/account/webhook-secret/rotate", { token: customer.key });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(old.secret);
    expect((await call<SecretView>("GET", "/v1/account/webhook-secret", { token: customer.key })).body).toEqual(
      rotated.body,
    );
    const nowMs = Date.now();
    expect(await signingSecrets(env.DB, customer.account.id, newWebhookSecret(), nowMs)).toEqual([
      rotated.body.secret,
      old.secret,
    ]);
    expect(await signingSecrets(env.DB, customer.account.id, newWebhookSecret(), nowMs + 25 * 60 * 60 * 1000)).toEqual([
      rotated.body.secret,
    ]);
  });
});

describe("GET /v1/edits/{id}/deliveries", () => {
  it("lists nothing for an edit without deliveries, and hides another account's edit", async () => {
    const customer = await createCustomer("deliveries-owner");
    const image = await uploadPng(customer.key, 64, 64);
    const accepted = await submitAccepted(customer.key, { task: "img2img", image, strength: 0.5 });
    const mine = await call<WebhookDeliveryList>("GET", `/v1/edits/${accepted.id}/deliveries`, { token: customer.key });
    expect(mine).toMatchObject({ status: 200, body: { data: [] } });
    const stranger = await createCustomer("deliveries-stranger");
    expectProblem(await call("GET", `/v1/edits/${accepted.id}/deliveries`, { token: stranger.key }), 404, "not_found");
    await call("POST", `/v1/edits/${accepted.id}/cancel`, { token: customer.key });
  });
});
