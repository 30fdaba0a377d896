import { BacklogMetrics } from "@stochedit/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { ApiClient } from "./support/public-api.js";
import { samplePhoto } from "./support/sample-images.js";

let stack: E2eStack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startE2eStack();
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
});
afterAll(() => stack?.stop());

/** GET /internal/metrics, as the autoscaler reads it. */
async function backlog(): Promise<BacklogMetrics> {
  const response = await fetch(`${stack.edgeUrl}/internal/metrics`, {
    headers: { authorization: `Bearer ${stack.metricsToken}` },
  });
  expect(response.status).toBe(200);
  return BacklogMetrics.parse(await response.json());
}

describe("an edit nobody runs yet (no runner has started)", () => {
  it("is queued with its price held, and canceling it releases the hold without a charge", async () => {
    const before = await api.account();
    const image = await api.upload(await samplePhoto(), "image/jpeg");
    const accepted = await api.submit({ task: "drag", image, points: [{ from: [30, 40], to: [50, 40] }], steps: 20 });
    expect(accepted.status).toBe("queued");
    expect(accepted.price).toBeGreaterThan(0);

    const held = await api.account();
    expect(held).toMatchObject({ balance: before.balance - accepted.price, held: accepted.price });
    expect(await backlog()).toMatchObject({ queued: 1, running: 0, backlog: 1 });

    const canceled = await api.cancel(accepted.id);
    expect(canceled).toMatchObject({ status: "canceled", charged: 0 });
    expect(await api.account()).toMatchObject({ balance: before.balance, held: 0 });
    expect(await backlog()).toMatchObject({ queued: 0, running: 0, backlog: 0 });
    const kinds = (await api.account()).recent_ledger.filter((e) => e.edit_id === accepted.id).map((e) => e.kind);
    expect(kinds.sort()).toEqual(["hold", "release"]);
  });
});

describe("a runner process joining the stack", () => {
  it("is ready once its model is loaded, serves metrics, and exits cleanly on SIGTERM", async () => {
    const runner = await stack.startRunner("joining-runner");
    const health = await fetch(`${runner.healthUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "ready",
      runner_id: "joining-runner",
      model: "stochedit-mini",
    });
    const metrics = await (await fetch(`${runner.healthUrl}/metrics`)).text();
    expect(metrics).toContain("stochedit_runner_model_ready 1");
    expect(await runner.process.stop("SIGTERM")).toBe(0);
    expect(stack.logs.filter((line) => line.startsWith("[joining-runner]")).at(-1)).toContain('"message":"stopped"');
  });
});
