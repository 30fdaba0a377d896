/** @module api: test helpers that drive the real worker (SELF) and set up accounts, keys and uploads through it. */

import { env, SELF } from "cloudflare:test";
import type { AccountView, CreatedKey, CreateKeyRequest, Problem, UploadResponse } from "@stochedit/shared";
import { expect } from "vitest";

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = unknown>(
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    redirect?: "manual";
  } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const response = await SELF.fetch(`https://edge.test${path}`, { method, headers, body, redirect: options.redirect });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    headers: response.headers,
    body: (type.includes("json") ? JSON.parse(text) : text) as T,
  };
}

export const operatorToken = () => env.OPERATOR_TOKEN;

/** Asserts a problem+json reply with the given status and code, and returns it. */
export function expectProblem(reply: Reply, status: number, code: string): Problem {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toBe("application/problem+json");
  const problem = reply.body as Problem;
  expect(problem).toMatchObject({ status, code, type: `https://docs.stochedit.dev/problems/${code}` });
  expect(problem.instance).toBe(reply.headers.get("x-request-id"));
  return problem;
}

export async function createAccount(name: string, grantMicro = 0): Promise<AccountView> {
  const created = await call<AccountView>("POST", "/admin/accounts", { token: operatorToken(), body: { name } });
  expect(created.status).toBe(201);
  if (grantMicro === 0) return created.body;
  const granted = await call<AccountView>("POST", `/admin/accounts/${created.body.id}/credits`, {
    token: operatorToken(),
    body: { amount: grantMicro, note: "test grant" },
  });
  expect(granted.status).toBe(200);
  return granted.body;
}

export async function createKey(accountId: string, request: Partial<CreateKeyRequest> = {}): Promise<CreatedKey> {
  const created = await call<CreatedKey>("POST", `/admin/accounts/${accountId}/keys`, {
    token: operatorToken(),
    body: request,
  });
  expect(created.status).toBe(201);
  return created.body;
}

/** An account with credits and a key that has every scope and a limit high enough never to interfere. */
export async function createCustomer(name: string, grantMicro = 10_000_000) {
  const account = await createAccount(name, grantMicro);
  const key = await createKey(account.id, { rate_limit_per_minute: 100_000 });
  return { account, key: key.key, keyId: key.id };
}

/** POST /v1/uploads, then PUT the bytes to the presigned URL exactly as a client would. */
export async function upload(key: string, bytes: Uint8Array, contentType = "image/png"): Promise<string> {
  const created = await call<UploadResponse>("POST", "/v1/uploads", {
    token: key,
    body: { content_type: contentType, content_length: bytes.length },
  });
  expect(created.status).toBe(201);
  const put = await fetch(created.body.url, { method: "PUT", headers: created.body.headers, body: bytes });
  expect(put.status).toBe(200);
  return created.body.upload_id;
}
