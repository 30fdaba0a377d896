import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../app.js";
import { call } from "../test-support/api.js";

describe("GET /healthz", () => {
  it("answers ok without a key, and names no instance where none was set (deployments)", async () => {
    const reply = await call("GET", "/healthz");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: "ok" });
  });

  it("echoes the instance id a starter gave the worker, so it can tell its own edge from another", async () => {
    const response = await app.fetch(new Request("https://edge.test/healthz"), {
      ...env,
      EDGE_INSTANCE_ID: "start-7f3a",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", instance: "start-7f3a" });
  });
});
