import { describe, expect, it } from "vitest";
import { call, createCustomer, expectProblem, operatorToken } from "./test-support/api.js";

describe("app", () => {
  it("answers an unknown route with a 404 problem carrying the request id", async () => {
    const reply = await call("GET", "/nowhere");
    const problem = expectProblem(reply, 404, "not_found");
    expect(problem.detail).toContain("GET /nowhere");
    expect(reply.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a known path asked with another method with a 405 problem and Allow", async () => {
    const customer = await createCustomer("app-method-not-allowed");
    const deleteEdits = await call("DELETE", "/v1/edits", { token: customer.key });
    expect(expectProblem(deleteEdits, 405, "method_not_allowed").detail).toBe(
      "/v1/edits does not accept DELETE; it accepts GET, HEAD, POST",
    );
    expect(deleteEdits.headers.get("allow")).toBe("GET, HEAD, POST");

    const getUploads = await call("GET", "/v1/uploads", { token: customer.key });
    expectProblem(getUploads, 405, "method_not_allowed");
    expect(getUploads.headers.get("allow")).toBe("POST");

    // Paths with parameters and the operator's routes come from the same route table.
    const putEdit = await call("PUT", "/v1/edits/ed_00000000000000000000", { token: customer.key });
    expectProblem(putEdit, 405, "method_not_allowed");
    expect(putEdit.headers.get("allow")).toBe("GET, HEAD");
    const deleteAccounts = await call("DELETE", "/admin/accounts", { token: operatorToken() });
    expectProblem(deleteAccounts, 405, "method_not_allowed");
    expect(deleteAccounts.headers.get("allow")).toBe("POST");
  });

  it("answers any other method the runtime passes on (WebDAV's, PATCH) with a 405 problem", async () => {
    // workerd, locally and in production, answers a method it does not know (FOO) itself with 501 before any worker
    // runs; the methods it knows all reach this app.
    const customer = await createCustomer("app-other-methods");
    for (const method of ["PATCH", "PROPFIND", "MKCOL"]) {
      const reply = await call(method, "/v1/edits", { token: customer.key });
      expect(expectProblem(reply, 405, "method_not_allowed").detail).toContain(`does not accept ${method}`);
    }
  });

  it("keeps 404 for paths no method routes, whatever the method", async () => {
    const customer = await createCustomer("app-unknown-path");
    for (const method of ["GET", "DELETE"]) {
      const reply = await call(method, "/v1/nowhere", { token: customer.key });
      expect(expectProblem(reply, 404, "not_found").detail).toBe(`no route for ${method} /v1/nowhere`);
      expect(reply.headers.get("allow")).toBeNull();
    }
  });

  it("keeps a request id the client sends", async () => {
    const reply = await call("GET", "/openapi.json", { headers: { "x-request-id": "client-chosen-id-42" } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("x-request-id")).toBe("client-chosen-id-42");
  });

  it("serves an OpenAPI 3.1 document generated from the shared schemas", async () => {
    const reply = await call<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    }>("GET", "/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe("3.1.0");
    // The runners' /internal routes are not public and stay out of the document.
    expect(Object.keys(reply.body.paths).sort()).toEqual([
      "/admin/accounts",
      "/admin/accounts/{account}",
      "/admin/accounts/{account}/credits",
      "/admin/accounts/{account}/keys",
      "/admin/accounts/{account}/keys/{key}/revoke",
      "/v1/account",
      "/v1/account/ledger",
      "/v1/account/webhook-secret",
      "/v1/account/webhook-secret/rotate",
      "/v1/edits",
      "/v1/edits/{id}",
      "/v1/edits/{id}/cancel",
      "/v1/edits/{id}/deliveries",
      "/v1/edits/{id}/events",
      "/v1/edits/{id}/output",
      "/v1/edits/{id}/previews",
      "/v1/quote",
      "/v1/uploads",
    ]);
    for (const schema of [
      "EditRequest",
      "DragRequest",
      "Edit",
      "EditAccepted",
      "EditEvent",
      "EditPreview",
      "EditPreviewList",
      "Problem",
      "Quote",
      "UploadResponse",
      "WebhookDeliveryList",
    ]) {
      expect(reply.body.components.schemas).toHaveProperty(schema);
    }
    expect(Object.keys(reply.body.components.securitySchemes).sort()).toEqual(["apiKey", "operatorToken"]);

    // A path id is any string: one that names nothing is a 404, so no pattern and no 422 is documented for it.
    const getEdit = reply.body.paths["/v1/edits/{id}"]!.get as {
      parameters: { name: string; in: string; schema: Record<string, unknown> }[];
      responses: Record<string, unknown>;
    };
    const id = getEdit.parameters.find((p) => p.in === "path");
    expect(id).toMatchObject({ name: "id", schema: { type: "string" } });
    expect(id?.schema).not.toHaveProperty("pattern");
    expect(Object.keys(getEdit.responses)).toContain("404");
    expect(Object.keys(getEdit.responses)).not.toContain("422");
  });

  it("documents the speed presets on every task, with steps and t0 defaulting to the preset's", async () => {
    type Property = { $ref?: string; default?: unknown; description?: string };
    const reply = await call<{
      components: { schemas: Record<string, { enum?: string[]; properties?: Record<string, Property> }> };
    }>("GET", "/openapi.json");
    const schemas = reply.body.components.schemas;
    expect(schemas.Preset).toMatchObject({
      enum: ["fast", "standard", "best"],
      description: expect.stringMatching(/default standard/),
    });
    for (const name of ["DragRequest", "InpaintRequest", "Img2ImgRequest"]) {
      const properties = schemas[name]!.properties!;
      // The generator drops a $ref's default (Sampler's too); Preset's description says it is standard.
      expect(properties.preset).toMatchObject({ $ref: "#/components/schemas/Preset" });
      expect(properties.steps).not.toHaveProperty("default");
      expect(properties.steps!.description).toMatch(/preset's \(fast \d+, standard \d+, best \d+\)/);
    }
    expect(schemas.DragRequest!.properties!.t0!.description).toContain("standard 0.6");
    expect(schemas.Img2ImgRequest!.properties).not.toHaveProperty("t0");
  });

  it("documents test mode: the key scheme says what sk_test_ keys do, and edits and webhooks carry livemode", async () => {
    const { body } = await call<{
      components: {
        schemas: Record<string, { properties: Record<string, { description?: string }>; required?: string[] }>;
        securitySchemes: Record<string, { description: string }>;
      };
    }>("GET", "/openapi.json");
    const scheme = body.components.securitySchemes.apiKey!.description;
    for (const promise of ["cost nothing", "deterministic", "Idempotency-Keys", "livemode: false"]) {
      expect(scheme).toContain(promise);
    }
    for (const schema of ["Edit", "EditAccepted", "LedgerEntry"]) {
      expect(body.components.schemas[schema]?.required).toContain("livemode");
    }
    expect(body.components.schemas.Edit!.properties.livemode!.description).toContain("sk_test_");
  });

  it("renders the API docs page from /openapi.json", async () => {
    const reply = await call<string>("GET", "/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/html");
    expect(reply.body).toContain('url: "/openapi.json"');
    // Swagger UI comes from the edge's own static assets (built from swagger-ui-dist), never from a CDN.
    expect(reply.body).toContain('src="/docs/swagger-ui/swagger-ui-bundle.js"');
    expect(reply.body).not.toMatch(/https?:\/\//);
  });
});
