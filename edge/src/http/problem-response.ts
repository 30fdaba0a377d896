/** @module problem-response: renders ApiError (and anything else thrown) as RFC 9457 problem+json. */
import { type Problem, type ProblemCode, problemTypeBase } from "@stochedit/shared";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isTransient } from "../storage/transient-errors.js";
import { ApiError } from "./api-error.js";

const titles: Record<ProblemCode, string> = {
  bad_request: "Bad request",
  unauthorized: "Unauthorized",
  insufficient_credits: "Insufficient credits",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  idempotency_conflict: "Idempotency key reused with a different body",
  lease_lost: "Lease lost",
  gone: "Gone",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  price_above_max: "Price above max_price",
  rate_limited: "Too many requests",
  internal: "Internal error",
  unavailable: "Service unavailable",
};

/** Hono's own HTTPExceptions (malformed JSON, body limit, media type gate) mapped to our codes by status. */
const codeByHttpStatus: Record<number, ProblemCode> = {
  400: "bad_request",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * Turns any thrown value into an ApiError. A storage error that may pass (transient-errors.ts), still there after
 * its retries, is a 503 to try again shortly; anything else unknown is a 500 whose detail reveals nothing internal.
 */
export function toApiError(error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const code = codeByHttpStatus[error.status];
    if (code) return new ApiError(code, error.message || titles[code]);
  }
  const transient = isTransient(error);
  console.error(
    JSON.stringify({ level: "error", requestId, transient, error: String(error), stack: (error as Error)?.stack }),
  );
  if (transient) {
    return new ApiError("unavailable", `storage is briefly unavailable; retry in a moment (request id ${requestId})`, {
      headers: { "Retry-After": "1" },
    });
  }
  return new ApiError("internal", `an internal error occurred; quote request id ${requestId} when reporting it`);
}

export function problemResponse(c: Context, error: ApiError): Response {
  const requestId = c.get("requestId") ?? "";
  const body: Problem = {
    type: `${problemTypeBase}${error.code}`,
    code: error.code,
    title: titles[error.code],
    status: error.status,
    detail: error.detail,
    instance: requestId,
    ...(error.options.errors ? { errors: error.options.errors } : {}),
    ...(error.options.quote ? { quote: error.options.quote } : {}),
    retryable: error.retryable,
  };
  const headers = new Headers(error.options.headers);
  headers.set("content-type", "application/problem+json");
  headers.set("x-request-id", requestId);
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
