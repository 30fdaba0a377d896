/**
 * 100-way bursts at the local stack: submissions, runner claims and heartbeats, cancels and hand-backs, twice over.
 * No answer may be a 5xx, every refusal must be problem+json, and the money must add up afterwards.
 *
 * Each request opens its own connection (`agent: false`): workerd closes a keep-alive connection idle for 5 s, and a
 * pooled client that reuses one at that moment gets no answer at all (see README, "Running locally"). That is the
 * client's race, not an answer of the edge, and this test is about the edge's answers.
 */
import { request as httpRequest } from "node:http";
import { type ClaimedJob, signInternalRequest } from "@stochedit/shared";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eStack, startE2eStack } from "./support/e2e-stack.js";
import { printLogsOnFailure } from "./support/failure-logs.js";
import { fastEdgeVars } from "./support/fast-edge.js";
import { ApiClient } from "./support/public-api.js";

const burstSize = 100;
const rounds = 2;

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

let stack: E2eStack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startE2eStack({ edgeVars: fastEdgeVars });
  api = new ApiClient(stack.edgeUrl, stack.apiKey);
});
printLogsOnFailure(() => stack);
afterAll(async () => {
  await stack?.stop();
});

/** One request on a connection of its own; a transport failure is thrown (and fails the test). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${stack.edgeUrl}${path}`,
      {
        method,
        agent: false,
        headers: { ...headers, ...(body !== undefined && { "content-type": "application/json" }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"] ?? "",
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const asCustomer = (method: string, path: string, body?: unknown) =>
  send(
    method,
    path,
    { authorization: `Bearer ${stack.apiKey}` },
    body === undefined ? undefined : JSON.stringify(body),
  );

async function asRunner(path: string, body: unknown): Promise<Answer> {
  const text = JSON.stringify(body);
  return send("POST", path, await signInternalRequest(stack.hmacSecret, { method: "POST", path, body: text }), text);
}

/** Fires `count` calls at once; every answer below 500, and every refusal a problem. */
async function burst(what: string, count: number, call: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => call(i)));
  const statuses = answers.map((a) => a.status);
  const failed = answers.filter((a) => a.status >= 500);
  expect(failed, `${what}: ${JSON.stringify(failed.slice(0, 3))}`).toEqual([]);
  for (const answer of answers.filter((a) => a.status >= 400)) {
    expect(answer.contentType, `${what}: ${answer.status} ${answer.body}`).toBe("application/problem+json");
  }
  return answers.filter((_, i) => statuses[i]! < 300);
}

describe("100-way bursts", () => {
  it("never answer 5xx, refuse only with problem+json, and leave every hold released", async () => {
    const before = await api.account();
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#468" } })
      .png()
      .toBuffer();
    const image = await api.upload(png, "image/png");
    const edit = { task: "img2img", image, strength: 0.5, steps: 4 };

    for (let round = 0; round < rounds; round++) {
      const submitted = await burst("submit", burstSize, () => asCustomer("POST", "/v1/edits", edit));
      expect(submitted).toHaveLength(burstSize);
      const ids = submitted.map((a) => (JSON.parse(a.body) as { id: string }).id);

      const claims = await burst("claim", burstSize, (i) =>
        asRunner("/internal/claim", { runner_id: `burst-runner-${i}`, models: ["stochedit-mini"] }),
      );
      const jobs = claims.filter((a) => a.status === 200).map((a) => JSON.parse(a.body) as ClaimedJob);
      expect(jobs.length).toBeGreaterThan(0);
      await burst("heartbeat", jobs.length, (i) =>
        asRunner(`/internal/jobs/${jobs[i]!.id}/heartbeat`, { lease_id: jobs[i]!.lease.id }),
      );

      await burst("cancel", burstSize, (i) => asCustomer("POST", `/v1/edits/${ids[i]}/cancel`));
      await burst("release", jobs.length, (i) =>
        asRunner(`/internal/jobs/${jobs[i]!.id}/release`, { lease_id: jobs[i]!.lease.id }),
      );
    }

    // Every edit was canceled: no hold is left, nothing was charged.
    const after = await api.account();
    expect([after.balance, after.held]).toEqual([before.balance, 0]);
  });
});
