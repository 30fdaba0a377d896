/** @module health-server: the runner's HTTP side: GET /healthz (ready once the model is loaded) and GET /metrics. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export type RunnerPhase = "loading" | "ready" | "stopping";

export interface HealthState {
  readonly phase: RunnerPhase;
  readonly runnerId: string;
  readonly model: string;
  readonly slots: number;
  readonly busySlots: number;
}

export interface HealthServer {
  /** http://host:port, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/** 200 only while ready: a load balancer or Kubernetes probe takes a loading or stopping runner out of rotation. */
export async function startHealthServer(options: {
  host: string;
  port: number;
  state: () => HealthState;
  registry: Registry;
}): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://runner").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      const state = options.state();
      response.writeHead(state.phase === "ready" ? 200 : 503, { "content-type": "application/json" }).end(
        JSON.stringify({
          status: state.phase,
          runner_id: state.runnerId,
          model: state.model,
          slots: state.slots,
          busy_slots: state.busySlots,
        }),
      );
      return;
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500, { "content-type": "text/plain" }).end(error.message),
      );
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /healthz or /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
