/**
 * @module webhook-receiver: a plain-http webhook endpoint on loopback (the edge's dev flag allows localhost) that
 * verifies each delivery's Standard Webhooks signature with the account's secret and answers as a test scripts it.
 */
import { EventEmitter, once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebhookPayload, WebhookPayload as WebhookPayloadSchema } from "@stochedit/shared";
import { Webhook } from "standardwebhooks";

export interface Delivery {
  /** The <name> of the /hooks/<name> path it was sent to: one name per test keeps tests' deliveries apart. */
  readonly hook: string;
  readonly webhookId: string;
  /** Null when the signature did not verify or the body is not a WebhookPayload (see verifyError). */
  readonly payload: WebhookPayload | null;
  readonly verifyError?: string;
  /** What this receiver answered. */
  readonly answeredStatus: number;
  /** The raw body and the Standard Webhooks headers as received, for verifying them another way. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/hooks/<name> */
  url(name: string): string;
  readonly deliveries: Delivery[];
  /** Answers for the next deliveries to `name`, in order; after them, 200. */
  script(name: string, statuses: number[]): void;
  /** The first delivery (already here or still to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const scripts = new Map<string, number[]>();
  const arrivals = new EventEmitter();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const hook = (request.url ?? "").replace(/^\/hooks\//, "");
    const headers = Object.fromEntries(
      ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(request.headers[h] ?? "")]),
    );
    let payload: WebhookPayload | null = null;
    let verifyError: string | undefined;
    try {
      payload = WebhookPayloadSchema.parse(verifier.verify(body, headers));
    } catch (error) {
      verifyError = (error as Error).message;
    }
    const answeredStatus = scripts.get(hook)?.shift() ?? 200;
    const delivery: Delivery = {
      hook,
      webhookId: headers["webhook-id"]!,
      payload,
      answeredStatus,
      body,
      headers,
      ...(verifyError && { verifyError }),
    };
    deliveries.push(delivery);
    response.writeHead(answeredStatus).end();
    arrivals.emit("delivery", delivery);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/hooks/${name}`,
    deliveries,
    script: (name, statuses) => scripts.set(name, [...statuses]),
    waitFor(match, timeoutMs = 60_000) {
      const seen = deliveries.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const listener = (delivery: Delivery) => {
          if (!match(delivery)) return;
          clearTimeout(timer);
          arrivals.off("delivery", listener);
          resolve(delivery);
        };
        const timer = setTimeout(() => {
          arrivals.off("delivery", listener);
          const seenSoFar = deliveries.map((d) => `${d.hook} ${d.webhookId} -> ${d.answeredStatus}`).join("; ");
          reject(new Error(`no matching webhook delivery within ${timeoutMs} ms (received: ${seenSoFar || "none"})`));
        }, timeoutMs);
        arrivals.on("delivery", listener);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
