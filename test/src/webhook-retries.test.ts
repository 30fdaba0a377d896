import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../scripts/local-stack/wait-until.js";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { printLogsOnFailure } from "./support/failure-logs.js";
import { fastEdgeVars } from "./support/fast-edge.js";
import { ApiClient } from "./support/public-api.js";
import { samplePhoto } from "./support/sample-images.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

let stack: E2eStack;
let api: ApiClient;
let receiver: WebhookReceiver;

beforeAll(async () => {
  stack = await startE2eStack({ edgeVars: fastEdgeVars });
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
  receiver = await startWebhookReceiver(await api.webhookSecret());
  await stack.startRunner("runner-w");
});
printLogsOnFailure(() => stack);
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

describe("webhook delivery", () => {
  it("retries a receiver that fails twice, then delivers once with the same id and a valid signature", async () => {
    receiver.script("flaky", [500, 503]);
    const image = await api.upload(await samplePhoto(96), "image/jpeg");
    const accepted = await api.submit({
      task: "img2img",
      image,
      strength: 0.4,
      steps: 8,
      webhook_url: receiver.url("flaky"),
    });

    const success = await receiver.waitFor((d) => d.hook === "flaky" && d.answeredStatus === 200);
    const attempts = receiver.deliveries.filter((d) => d.hook === "flaky");
    expect(attempts.map((d) => d.answeredStatus)).toEqual([500, 503, 200]);
    expect(attempts.every((d) => d.webhookId === success.webhookId)).toBe(true);
    for (const attempt of attempts) {
      expect(attempt.verifyError).toBeUndefined();
      expect(attempt.payload).toMatchObject({
        type: "edit.succeeded",
        data: { id: accepted.id, status: "succeeded" },
      });
    }

    // The edge's log of the same three attempts: two scheduled retries, then one delivery that succeeded.
    const logged = await waitUntil(
      async () => {
        const rows = await api.deliveries(accepted.id);
        return rows.some((row) => row.outcome === "delivered") ? rows : undefined;
      },
      { what: `a delivered row in the delivery log of ${accepted.id}`, timeoutMs: 30_000 },
    );
    expect(logged.map((row) => [row.attempt, row.status_code, row.outcome])).toEqual([
      [1, 500, "retrying"],
      [2, 503, "retrying"],
      [3, 200, "delivered"],
    ]);
    expect(logged.every((row) => row.webhook_id === success.webhookId && row.type === "edit.succeeded")).toBe(true);
    expect(logged.filter((row) => row.outcome === "delivered")).toHaveLength(1);
  });
});
