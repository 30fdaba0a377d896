/** @module edge-client: the runner's HMAC-signed calls to the edge's internal routes (claim, heartbeat, ..., release). */
import {
  type ClaimedJob,
  ClaimedJob as ClaimedJobSchema,
  type ClaimRequest,
  type CompleteRequest,
  type FailRequest,
  type HeartbeatRequest,
  type LeaseStatus,
  LeaseStatus as LeaseStatusSchema,
  type PreviewRequest,
  Problem,
  type ProgressRequest,
  type ReleaseRequest,
  signInternalRequest,
} from "@stochedit/shared";
import type { z } from "zod";

/** The edge answered 409 lease_lost: another runner may hold the job now; stop working on it at once. */
export class LeaseLost extends Error {
  override readonly name = "LeaseLost";
}

/** Any other answer the runner did not expect; `retryable` for 5xx, 429 and network failures. */
export class EdgeRequestError extends Error {
  override readonly name = "EdgeRequestError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface EdgeClientOptions {
  readonly baseUrl: string;
  readonly hmacSecret: string;
  readonly timeoutMs: number;
  /** Tries of complete, fail and release (which must reach the edge) on retryable errors. */
  readonly finalCallTries?: number;
  /** Waits between those tries; injectable so tests do not wait. */
  readonly retryDelayMs?: (attempt: number) => number;
}

export class EdgeClient {
  private readonly finalCallTries: number;
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(private readonly options: EdgeClientOptions) {
    this.finalCallTries = options.finalCallTries ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => 250 * 4 ** attempt);
  }

  /** A job with its lease, or undefined when none is ready (204). */
  async claim(body: ClaimRequest, signal?: AbortSignal): Promise<ClaimedJob | undefined> {
    const response = await this.post("/internal/claim", body, signal);
    if (response.status === 204) return undefined;
    return parseBody(response, ClaimedJobSchema, "claim");
  }

  async heartbeat(jobId: string, body: HeartbeatRequest): Promise<LeaseStatus> {
    return parseBody(await this.post(jobPath(jobId, "heartbeat"), body), LeaseStatusSchema, "heartbeat");
  }

  async progress(jobId: string, body: ProgressRequest): Promise<LeaseStatus> {
    return parseBody(await this.post(jobPath(jobId, "progress"), body), LeaseStatusSchema, "progress");
  }

  async preview(jobId: string, body: PreviewRequest): Promise<LeaseStatus> {
    return parseBody(await this.post(jobPath(jobId, "preview"), body), LeaseStatusSchema, "preview");
  }

  complete(jobId: string, body: CompleteRequest): Promise<void> {
    return this.finalCall(jobPath(jobId, "complete"), body);
  }

  fail(jobId: string, body: FailRequest): Promise<void> {
    return this.finalCall(jobPath(jobId, "fail"), body);
  }

  release(jobId: string, body: ReleaseRequest): Promise<void> {
    return this.finalCall(jobPath(jobId, "release"), body);
  }

  private async finalCall(path: string, body: object): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.post(path, body);
        return;
      } catch (error) {
        const retryable = error instanceof EdgeRequestError && error.retryable;
        if (!retryable || attempt + 1 >= this.finalCallTries) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs(attempt)));
      }
    }
  }

  /** Signs and sends; a 2xx response comes back, 409 lease_lost throws LeaseLost, anything else EdgeRequestError. */
  private async post(path: string, body: object, signal?: AbortSignal): Promise<Response> {
    const url = new URL(path.slice(1), `${this.options.baseUrl}/`);
    const text = JSON.stringify(body);
    // The edge verifies over the path it sees, which includes any prefix of the base URL.
    const headers = await signInternalRequest(this.options.hmacSecret, {
      method: "POST",
      path: url.pathname + url.search,
      body: text,
    });
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: text,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new EdgeRequestError(`POST ${url.pathname} failed: ${describeError(error)}`, undefined, true);
    }
    if (response.ok) return response;
    const problem = Problem.safeParse(await response.json().catch(() => undefined));
    const detail = problem.success ? `${problem.data.code}: ${problem.data.detail}` : response.statusText;
    if (response.status === 409 && problem.success && problem.data.code === "lease_lost") {
      throw new LeaseLost(`POST ${url.pathname}: ${detail}`);
    }
    const retryable = response.status >= 500 || response.status === 429;
    throw new EdgeRequestError(
      `POST ${url.pathname} answered ${response.status} (${detail})`,
      response.status,
      retryable,
    );
  }
}

function jobPath(jobId: string, action: string): string {
  return `/internal/jobs/${encodeURIComponent(jobId)}/${action}`;
}

async function parseBody<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new EdgeRequestError(
      `the edge's ${what} answer does not match the protocol: ${issues}`,
      response.status,
      false,
    );
  }
  return parsed.data;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
