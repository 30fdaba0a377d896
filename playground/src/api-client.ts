/** @module api-client: the public API calls the page makes, with the key it was given; answers checked by schema. */
import {
  AccountView,
  Edit,
  EditAccepted,
  type EditRequestInput,
  type ImageContentType,
  Problem,
  Quote,
  type UploadId,
  UploadResponse,
} from "@stochedit/shared";
import type { z } from "zod";
import { ApiProblemError, HttpError, NetworkError, UnexpectedAnswerError } from "./api-errors.js";

async function send(request: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new NetworkError(request, error instanceof Error ? error.message : String(error));
  }
}

/** A problem document when the API sent one, else the raw answer. */
async function failure(request: string, response: Response): Promise<Error> {
  const body = await response.text();
  if (response.headers.get("content-type")?.startsWith("application/problem+json")) {
    try {
      const problem = Problem.safeParse(JSON.parse(body));
      if (problem.success) return new ApiProblemError(request, problem.data);
    } catch {
      // Not JSON after all: reported below as the raw answer.
    }
  }
  return new HttpError(request, response.status, body);
}

export class ApiClient {
  /** `apiKey` is read on every call, so a key pasted later is used from then on. */
  constructor(
    private readonly apiKey: () => string,
    private readonly baseUrl = "",
  ) {}

  /** POST /v1/uploads, then the PUT straight to S3 with the headers the edge signed. */
  async upload(body: Blob, contentType: ImageContentType): Promise<UploadId> {
    const upload = await this.call(UploadResponse, "POST", "/v1/uploads", {
      content_type: contentType,
      content_length: body.size,
    });
    // Scripts may not set Content-Length; the browser sends the body's own length, which is the signed one.
    const headers = Object.entries(upload.headers).filter(([name]) => name.toLowerCase() !== "content-length");
    const request = `PUT ${new URL(upload.url).host}`;
    const response = await send(request, upload.url, { method: "PUT", headers, body });
    if (!response.ok) throw await failure(request, response);
    return upload.upload_id;
  }

  quote(request: EditRequestInput): Promise<Quote> {
    return this.call(Quote, "POST", "/v1/quote", request);
  }

  submit(request: EditRequestInput, idempotencyKey: string): Promise<EditAccepted> {
    return this.call(EditAccepted, "POST", "/v1/edits", request, { "idempotency-key": idempotencyKey });
  }

  /** POST /v1/edits/{id}/cancel: the edit as it is afterwards (a finished one unchanged). */
  cancel(id: string): Promise<Edit> {
    return this.call(Edit, "POST", `/v1/edits/${id}/cancel`);
  }

  account(): Promise<AccountView> {
    return this.call(AccountView, "GET", "/v1/account");
  }

  edit(id: string, signal?: AbortSignal): Promise<Edit> {
    return this.call(Edit, "GET", `/v1/edits/${id}`, undefined, {}, signal);
  }

  /**
   * GET /v1/edits/{id}/events as a byte stream. fetch rather than EventSource, which cannot send the
   * Authorization header (and a key in the URL would end up in logs).
   */
  async editEvents(id: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const path = `/v1/edits/${id}/events`;
    const response = await send(`GET ${path}`, `${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${this.apiKey()}`, accept: "text/event-stream" },
      signal,
    });
    if (!response.ok || !response.body) throw await failure(`GET ${path}`, response);
    return response.body;
  }

  /** A result (or any presigned GET URL) as a Blob, for display and download. */
  async download(url: string, signal?: AbortSignal): Promise<Blob> {
    const request = `GET ${new URL(url).host}`;
    const response = await send(request, url, signal ? { signal } : {});
    if (!response.ok) throw await failure(request, response);
    return response.blob();
  }

  private async call<T>(
    schema: z.ZodType<T>,
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    const request = `${method} ${path}`;
    const response = await send(request, `${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey()}`,
        ...(body !== undefined && { "content-type": "application/json" }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
    });
    if (!response.ok) throw await failure(request, response);
    const answer = schema.safeParse(await response.json());
    if (!answer.success) throw new UnexpectedAnswerError(request, answer.error.issues);
    return answer.data;
  }
}
