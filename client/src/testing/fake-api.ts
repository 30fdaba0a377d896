/**
 * @module fake-api: a fetch for unit tests that answers from a handler and records every request, with builders for
 * the API's answers (real Response objects, problem documents and edits of the documented shapes).
 */
import type { Edit } from "../schemas.js";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** "POST /v1/edits" for API calls, "PUT <host>" for storage. */
  readonly route: string;
  readonly headers: Headers;
  readonly body: Uint8Array | undefined;
}

export type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export interface FakeFetch {
  readonly fetch: typeof fetch;
  readonly requests: RecordedRequest[];
  /** The requests to one route, e.g. "POST /v1/edits". */
  to(route: string): RecordedRequest[];
}

export const apiBase = "https://api.test";

export function fakeFetch(handler: Handler): FakeFetch {
  const requests: RecordedRequest[] = [];
  const fetchFn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    init.signal?.throwIfAborted();
    const url = String(input);
    const parsed = new URL(url);
    const method = init.method ?? "GET";
    const body = init.body === undefined || init.body === null ? undefined : await bytesOf(init.body);
    const route = parsed.origin === apiBase ? `${method} ${parsed.pathname}` : `${method} ${parsed.host}`;
    const request = { method, url, route, headers: new Headers(init.headers), body };
    requests.push(request);
    return handler(request);
  };
  return {
    fetch: fetchFn as typeof fetch,
    requests,
    to: (route) => requests.filter((r) => r.route === route),
  };
}

async function bytesOf(body: BodyInit): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "x-request-id": "req_ok", ...headers },
  });
}

export function problem(
  status: number,
  code: string,
  extra: { errors?: { path: string; message: string }[]; headers?: Record<string, string>; retryable?: boolean } = {},
): Response {
  const body = {
    type: `https://docs.stochedit.dev/problems/${code}`,
    code,
    title: `the ${code} title`,
    status,
    detail: `the ${code} detail`,
    instance: `req_${code}`,
    ...(extra.errors && { errors: extra.errors }),
    retryable: extra.retryable ?? (status === 429 || status >= 500),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", "x-request-id": `req_${code}`, ...extra.headers },
  });
}

export const editId = "ed_Q2w9Xk4LmN7pR1tYv8Zb";
export const uploadId = "up_8Jk2mQ4xZr7TnW1bVc5y";

export function editOf(overrides: Partial<Edit> = {}): Edit {
  const id = overrides.id ?? editId;
  return {
    id,
    task: "drag",
    sampler: "sde",
    status: "queued",
    progress: { step: 0, total: 0 },
    price: 34_200,
    charged: 0,
    seed: 7,
    model: "stochedit-mini",
    attempts: 0,
    livemode: true,
    previews_ready: 0,
    created_at: "2026-01-01T00:00:00.000Z",
    started_at: null,
    finished_at: null,
    parent_id: null,
    retention_seconds: 604_800,
    purge_at: null,
    purged_at: null,
    links: {
      self: `/v1/edits/${id}`,
      cancel: `/v1/edits/${id}/cancel`,
      events: `/v1/edits/${id}/events`,
      previews: `/v1/edits/${id}/previews`,
      output: `/v1/edits/${id}/output`,
    },
    ...overrides,
  };
}

/** An event stream body that sends `chunks`, one per read, and then ends (or errors with `thenError`). */
export function sseBody(chunks: readonly string[], thenError?: Error): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pending = [...chunks];
  return new ReadableStream({
    pull(controller) {
      const chunk = pending.shift();
      if (chunk !== undefined) controller.enqueue(encoder.encode(chunk));
      else if (thenError) controller.error(thenError);
      else controller.close();
    },
  });
}

export function sseEvent(
  event: { type: "status"; status: string } | { type: "progress"; step: number; total: number },
) {
  const at = "2026-01-01T00:00:01.000Z";
  const data =
    event.type === "status"
      ? { type: "status", id: editId, status: event.status, at }
      : { type: "progress", id: editId, progress: { step: event.step, total: event.total }, at };
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function sseResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}
