/**
 * @module webhook-receiver: a plain-http webhook receiver on loopback for the edge tests (started in Node by the
 * global setup). POST /hooks/<name> records the request and answers 200; /status/<code>/<name> answers <code>;
 * /hang/<name> never answers. GET /recorded/<name> returns what <name> received, oldest first.
 */
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export async function startWebhookReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const received = new Map<string, RecordedWebhook[]>();
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (request, response) => {
    const path = request.url ?? "/";
    if (request.method === "GET") {
      const name = path.replace(/^\/recorded\//, "");
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received.get(name) ?? []));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const match = /^\/(?:hooks|status\/(\d{3})|(hang))\/([\w-]+)$/.exec(path);
    if (!match) {
      response.writeHead(404).end();
      return;
    }
    const name = match[3]!;
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(", ") : (value ?? ""),
      ]),
    );
    received.set(name, [
      ...(received.get(name) ?? []),
      { path, headers, body: Buffer.concat(chunks).toString("utf8") },
    ]);
    if (match[2]) {
      hanging.add(response);
      return;
    }
    response.writeHead(match[1] ? Number(match[1]) : 200).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
