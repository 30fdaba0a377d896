/**
 * @module protocol-edge: a stand-in for the edge's internal routes, for the runner's own tests. It checks every
 * request's HMAC with the shared verifier (and each nonce once) and every body with the shared zod schemas, hands out
 * the jobs a test queues, and answers heartbeats, progress and previews as the test scripts them. The real edge
 * (Dispatcher Durable Object in workerd) is exercised by the end-to-end tests in test/.
 */
import { EventEmitter, once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ClaimedJob,
  ClaimRequest,
  CompleteRequest,
  FailRequest,
  HeartbeatRequest,
  type LeaseStatus,
  PreviewRequest,
  ProgressRequest,
  ReleaseRequest,
  verifyInternalRequest,
} from "@stochedit/shared";
import type { z } from "zod";

export type JobAction = "heartbeat" | "progress" | "preview" | "complete" | "fail" | "release";

export interface RecordedCall {
  readonly action: "claim" | JobAction;
  readonly jobId?: string;
  readonly body: Record<string, unknown>;
}

/** What a scripted answer may be: a lease status, the problem the edge sends for a lost lease, or an outage. */
export type LeaseAnswer = { status: LeaseStatus } | { leaseLost: true } | { unavailable: true };

export interface ProtocolEdge {
  readonly url: string;
  readonly secret: string;
  readonly calls: RecordedCall[];
  /** Hands `job` to the next claim. */
  queue(job: ClaimedJob): void;
  /** How heartbeats, progress and preview reports of a job are answered (default: extended, no cancel). */
  answerLease(respond: (call: RecordedCall) => LeaseAnswer): void;
  /** How complete, fail and release are answered: an HTTP status (default 200). */
  answerFinal(respond: (call: RecordedCall) => number): void;
  /** Resolves with the first call (already made or still to come) that matches. */
  waitFor(match: (call: RecordedCall) => boolean): Promise<RecordedCall>;
  close(): Promise<void>;
}

const bodySchemas: Record<RecordedCall["action"], z.ZodType> = {
  claim: ClaimRequest,
  heartbeat: HeartbeatRequest,
  progress: ProgressRequest,
  preview: PreviewRequest,
  complete: CompleteRequest,
  fail: FailRequest,
  release: ReleaseRequest,
};

const problem = (status: number, code: string, detail: string) =>
  JSON.stringify({
    type: `https://docs.stochedit.dev/problems/${code}`,
    code,
    title: code,
    status,
    detail,
    instance: "",
    retryable: false,
  });

export async function startProtocolEdge(secret = "runner-test-secret-0123456789abcdef"): Promise<ProtocolEdge> {
  const calls: RecordedCall[] = [];
  const arrivals = new EventEmitter();
  const jobs: ClaimedJob[] = [];
  let leaseAnswer = (_call: RecordedCall): LeaseAnswer => ({
    status: { lease_expires_at: new Date(Date.now() + 60_000).toISOString(), cancel_requested: false },
  });
  let finalAnswer = (_call: RecordedCall) => 200;
  // Like the edge, every nonce is accepted once: a runner that reused one (on a retry, say) would be refused.
  const seenNonces = new Set<string>();

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const path = request.url ?? "/";
    const send = (status: number, body?: string) =>
      response.writeHead(status, body ? { "content-type": "application/json" } : {}).end(body);
    const auth = await verifyInternalRequest(secret, {
      method: request.method ?? "",
      path,
      body: text,
      timestamp: (request.headers["x-stochedit-timestamp"] as string | undefined) ?? null,
      nonce: (request.headers["x-stochedit-nonce"] as string | undefined) ?? null,
      signature: (request.headers["x-stochedit-signature"] as string | undefined) ?? null,
    });
    if (!auth.ok) return send(401, problem(401, "unauthorized", auth.reason));
    if (seenNonces.has(auth.nonce)) return send(401, problem(401, "unauthorized", "nonce already used"));
    seenNonces.add(auth.nonce);
    const route = /^\/internal\/(?:claim|jobs\/([^/]+)\/(heartbeat|progress|preview|complete|fail|release))$/.exec(
      path,
    );
    if (request.method !== "POST" || !route) return send(404, problem(404, "not_found", `no route ${path}`));
    const action = (route[2] ?? "claim") as RecordedCall["action"];
    const parsed = bodySchemas[action].safeParse(JSON.parse(text));
    if (!parsed.success) return send(422, problem(422, "validation_failed", parsed.error.message));
    const call: RecordedCall = {
      action,
      ...(route[1] && { jobId: decodeURIComponent(route[1]) }),
      body: parsed.data as Record<string, unknown>,
    };
    calls.push(call);
    arrivals.emit("call", call);
    if (action === "claim") {
      const job = jobs.shift();
      return job ? send(200, JSON.stringify(job)) : send(204);
    }
    if (action === "heartbeat" || action === "progress" || action === "preview") {
      const answer = leaseAnswer(call);
      if ("leaseLost" in answer) {
        return send(409, problem(409, "lease_lost", "the lease expired or belongs to another runner"));
      }
      if ("unavailable" in answer) return send(503, problem(503, "unavailable", "scripted outage"));
      return send(200, JSON.stringify(answer.status));
    }
    const status = finalAnswer(call);
    return status < 300
      ? send(status, JSON.stringify({ id: call.jobId, status: "succeeded" }))
      : send(status, problem(status, status === 409 ? "lease_lost" : "internal", "scripted answer"));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    calls,
    queue: (job) => jobs.push(job),
    answerLease: (respond) => {
      leaseAnswer = respond;
    },
    answerFinal: (respond) => {
      finalAnswer = respond;
    },
    waitFor(match) {
      const seen = calls.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const listener = (call: RecordedCall) => {
          if (!match(call)) return;
          arrivals.off("call", listener);
          resolve(call);
        };
        arrivals.on("call", listener);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
