import { env } from "cloudflare:test";
import type { UploadResponse } from "@stochedit/shared";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem } from "../test-support/api.js";
import { checkPresignedUrl } from "../test-support/sigv4.js";

const bytes = new TextEncoder().encode("not really a png, but S3 stores any bytes it is given");

async function requestUpload(key: string, contentType = "image/png", length = bytes.length) {
  return call<UploadResponse>("POST", "/v1/uploads", {
    token: key,
    body: { content_type: contentType, content_length: length },
  });
}

describe("POST /v1/uploads", () => {
  it("returns a presigned PUT whose SigV4 signature covers host, content type and length", async () => {
    const customer = await createCustomer("upload-signature");
    const before = Date.now();
    const reply = await requestUpload(customer.key);
    expect(reply.status).toBe(201);
    const upload = reply.body;
    expect(upload.method).toBe("PUT");
    expect(upload.upload_id).toMatch(/^up_[A-Za-z0-9]{20}$/);
    expect(upload.headers).toEqual({ "content-type": "image/png", "content-length": String(bytes.length) });
    const url = new URL(upload.url);
    expect(url.pathname).toBe(`/${env.S3_BUCKET}/accounts/${customer.account.id}/uploads/${upload.upload_id}`);
    const expiresAt = Date.parse(upload.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);

    const check = await checkPresignedUrl("PUT", upload.url, upload.headers, env.S3_SECRET_ACCESS_KEY);
    expect(check).toEqual({
      valid: true,
      signedHeaders: ["content-length", "content-type", "host"],
      expiresSeconds: 900,
      credentialScope: `${upload.url.match(/X-Amz-Date=(\d{8})/)![1]}/${env.S3_REGION}/s3/aws4_request`,
    });
  });

  it("signs something a changed type, length, method or secret no longer matches", async () => {
    const customer = await createCustomer("upload-tamper");
    const { url, headers } = (await requestUpload(customer.key)).body;
    const secret = env.S3_SECRET_ACCESS_KEY;
    const variants = [
      checkPresignedUrl("PUT", url, { ...headers, "content-type": "image/jpeg" }, secret),
      checkPresignedUrl("PUT", url, { ...headers, "content-length": String(bytes.length + 1) }, secret),
      checkPresignedUrl("GET", url, headers, secret),
      checkPresignedUrl("PUT", url, headers, `${secret}x`),
      checkPresignedUrl("PUT", url.replace("X-Amz-Expires=900", "X-Amz-Expires=86400"), headers, secret),
    ];
    for (const check of await Promise.all(variants)) expect(check.valid).toBe(false);
  });

  it("uploads the bytes to the S3-compatible server, where they can be read back", async () => {
    const customer = await createCustomer("upload-put");
    const upload = (await requestUpload(customer.key)).body;
    const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const s3 = new AwsClient({
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      service: "s3",
      region: env.S3_REGION,
    });
    const stored = await s3.fetch(upload.url.split("?")[0]!);
    expect(stored.status).toBe(200);
    expect(stored.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(bytes);
  });

  it("records the upload for the account that asked", async () => {
    const customer = await createCustomer("upload-record");
    const upload = (await requestUpload(customer.key, "image/webp", 1234)).body;
    const row = await env.DB.prepare(
      "SELECT account_id, object_key, content_type, content_length FROM uploads WHERE id = ?",
    )
      .bind(upload.upload_id)
      .first();
    expect(row).toEqual({
      account_id: customer.account.id,
      object_key: `accounts/${customer.account.id}/uploads/${upload.upload_id}`,
      content_type: "image/webp",
      content_length: 1234,
    });
  });

  it.each([
    ["an unsupported type", { content_type: "image/gif", content_length: 10 }, "content_type"],
    ["more than 20 MB", { content_type: "image/png", content_length: 20 * 1024 * 1024 + 1 }, "content_length"],
    ["a zero length", { content_type: "image/png", content_length: 0 }, "content_length"],
    ["a missing length", { content_type: "image/png" }, "content_length"],
  ])("answers 422 for %s, naming the field", async (_, body, path) => {
    const customer = await createCustomer(`upload-invalid-${path}`);
    const problem = expectProblem(
      await call("POST", "/v1/uploads", { token: customer.key, body }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual([path]);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const customer = await createCustomer("upload-malformed");
    expectProblem(await call("POST", "/v1/uploads", { token: customer.key, rawBody: "{not json" }), 400, "bad_request");
  });

  it("answers 415 for a body that is not declared as JSON", async () => {
    const customer = await createCustomer("upload-media-type");
    const reply = await call("POST", "/v1/uploads", {
      token: customer.key,
      rawBody: "content_type=image/png",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectProblem(reply, 415, "unsupported_media_type");
  });

  it("answers 413 for a body over the size limit", async () => {
    const customer = await createCustomer("upload-too-large");
    const rawBody = JSON.stringify({ content_type: "image/png", content_length: 10, padding: "x".repeat(70_000) });
    expectProblem(await call("POST", "/v1/uploads", { token: customer.key, rawBody }), 413, "payload_too_large");
  });
});
