/** @module api-error: the one typed error the edge throws; `app.onError` renders it as problem+json. */
import { type ProblemCode, type ProblemFieldError, problemCodes, type Quote } from "@stochedit/shared";

export interface ApiErrorOptions {
  /** Field-level details of a 422. */
  errors?: ProblemFieldError[];
  /** price_above_max: the quote the request was refused on. */
  quote?: Quote;
  /** Extra response headers (Retry-After, RateLimit-*). */
  headers?: Record<string, string>;
  /** Whether repeating the same request later could succeed; defaults to true for 429, 500 and 503. */
  retryable?: boolean;
}

/** Like Hono's HTTPException, but carrying a stable problem code; the status follows from the code. */
export class ApiError extends Error {
  readonly status: (typeof problemCodes)[ProblemCode];

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly options: ApiErrorOptions = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = "ApiError";
    this.status = problemCodes[code];
  }

  get retryable(): boolean {
    return this.options.retryable ?? [429, 500, 503].includes(this.status);
  }
}

/** A 422 for one field, for checks the schema cannot make (an upload that does not exist, a point outside the image). */
export function fieldProblem(path: string, message: string): ApiError {
  return new ApiError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
}
