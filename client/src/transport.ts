/**
 * @module transport: one HTTP exchange with retries. API calls carry the key and have their answers checked by a
 * schema; storage calls (presigned URLs) carry nothing but their signed headers. Every failure becomes a typed error.
 */
import type { z } from "zod";
import { ApiError, HttpError, NetworkError, type StocheditError, UnexpectedResponseError } from "./errors.js";
import { abortReason, parseRetryAfter, type RetryOptions, retryDelayMs, shouldRetry, sleep } from "./retry-policy.js";
import { Problem } from "./schemas.js";

export interface TransportOptions {
  readonly baseUrl: string;
  /** Read on every call, so a key that changes (a user pasting another) is used from then on. */
  readonly apiKey: () => string;
  readonly fetch: typeof fetch;
  readonly retry: RetryOptions;
}

export interface SendOptions {
  readonly method: "GET" | "POST" | "PUT";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestInit["body"];
  /** Safe to repeat after a 5xx or a lost answer (see retry-policy.ts). */
  readonly idempotent: boolean;
  readonly signal?: AbortSignal | undefined;
}

export interface JsonCall<T> {
  readonly schema: z.ZodType<T>;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly idempotent: boolean;
  readonly signal?: AbortSignal | undefined;
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  get fetch(): typeof fetch {
    return this.options.fetch;
  }

  /** An API call whose answer is JSON checked by `call.schema`; also returns the response (for its headers). */
  async json<T>(call: JsonCall<T>): Promise<{ data: T; response: Response }> {
    const request = `${call.method} ${call.path}`;
    const response = await this.api(call.path, {
      method: call.method,
      headers: {
        accept: "application/json",
        ...(call.body !== undefined && { "content-type": "application/json" }),
        ...call.headers,
      },
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      idempotent: call.idempotent,
      signal: call.signal,
    });
    const requestId = response.headers.get("x-request-id") ?? undefined;
    let answer: unknown;
    try {
      answer = await response.json();
    } catch (error) {
      if (call.signal?.aborted) throw abortReason(call.signal);
      throw new UnexpectedResponseError(request, [`not JSON: ${String(error)}`], requestId);
    }
    const parsed = call.schema.safeParse(answer);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`);
      throw new UnexpectedResponseError(request, issues, requestId);
    }
    return { data: parsed.data, response };
  }

  /** An API call with the key; the successful response is returned unread. */
  api(path: string, options: SendOptions): Promise<Response> {
    const headers = { authorization: `Bearer ${this.options.apiKey()}`, ...options.headers };
    return this.send(`${options.method} ${path}`, `${this.options.baseUrl}${path}`, { ...options, headers });
  }

  /** A presigned storage URL (upload PUT, output GET): its signature is in the URL, so no key goes with it. */
  storage(url: string, options: SendOptions): Promise<Response> {
    return this.send(`${options.method} ${hostOf(url)}`, url, options);
  }

  private async send(request: string, url: string, options: SendOptions): Promise<Response> {
    const { retry } = this.options;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.options.fetch(url, {
          method: options.method,
          headers: options.headers ?? {},
          ...(options.body !== undefined && { body: options.body }),
          ...(options.signal && { signal: options.signal }),
        });
      } catch (cause) {
        if (options.signal?.aborted) throw abortReason(options.signal);
        const error = new NetworkError(request, cause);
        const delay = shouldRetry("network", options.idempotent) ? retryDelayMs(attempt, undefined, retry) : undefined;
        if (attempt >= retry.maxRetries || delay === undefined) throw error;
        await sleep(delay, options.signal);
        continue;
      }
      if (response.ok) return response;
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
      const error = await failureOf(request, response, retryAfterMs);
      const delay = shouldRetry(response, options.idempotent) ? retryDelayMs(attempt, retryAfterMs, retry) : undefined;
      if (attempt >= retry.maxRetries || delay === undefined) throw error;
      await sleep(delay, options.signal);
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A problem document when the answer is one (checked by the schema, or read leniently if newer), else the raw body. */
async function failureOf(
  request: string,
  response: Response,
  retryAfterMs: number | undefined,
): Promise<StocheditError> {
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const body = await response.text().catch(() => "");
  if (response.headers.get("content-type")?.startsWith("application/problem+json")) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return new HttpError(request, response.status, body, requestId);
    }
    const problem = Problem.safeParse(json);
    if (problem.success) return new ApiError(request, problem.data, retryAfterMs);
    const loose = json as Record<string, unknown>;
    return new ApiError(
      request,
      {
        status: response.status,
        code: typeof loose.code === "string" ? loose.code : "unknown",
        title: typeof loose.title === "string" ? loose.title : `HTTP ${response.status}`,
        detail: typeof loose.detail === "string" ? loose.detail : body.slice(0, 500),
        instance: typeof loose.instance === "string" ? loose.instance : requestId,
        retryable: typeof loose.retryable === "boolean" ? loose.retryable : response.status >= 500,
      },
      retryAfterMs,
    );
  }
  return new HttpError(request, response.status, body, requestId);
}
