/**
 * @module errors: every way a call can fail, as typed errors. Each says whether repeating it later could succeed
 * (`retryable`) and, where the API answered, the request id to quote when reporting it.
 */
import type { Edit, JobError, ProblemCode, ProblemFieldError, TerminalStatus } from "./schemas.js";

/** The base of every error this client throws (an aborted call rejects with the signal's reason instead). */
export class StocheditError extends Error {
  /** Whether the same call could succeed later (the client has already retried those it may). */
  readonly retryable: boolean;
  /** The API's x-request-id of the answer, when there was one. */
  readonly requestId: string | undefined;

  constructor(message: string, options: { retryable: boolean; requestId?: string | undefined; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StocheditError";
    this.retryable = options.retryable;
    this.requestId = options.requestId;
  }
}

/**
 * The API answered with an `application/problem+json` document. `code` is the stable problem code to match on
 * (`insufficient_credits`, `validation_failed`, ...); a code newer than this client comes through as a string.
 */
export class ApiError extends StocheditError {
  readonly status: number;
  readonly code: ProblemCode | (string & {});
  readonly title: string;
  readonly detail: string;
  /** Field errors of a 422: `{path: "points.0.from", message}`. */
  readonly fieldErrors: readonly ProblemFieldError[];
  /** The wait the API asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly request: string,
    problem: {
      status: number;
      code: string;
      title: string;
      detail: string;
      instance?: string | undefined;
      errors?: readonly ProblemFieldError[] | undefined;
      retryable: boolean;
    },
    retryAfterMs?: number,
  ) {
    super(`${request}: ${problem.title}: ${problem.detail}`, {
      retryable: problem.retryable,
      requestId: problem.instance,
    });
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.fieldErrors = problem.errors ?? [];
    this.retryAfterMs = retryAfterMs;
  }
}

/** Nothing answered: offline, DNS, TLS, a reset connection, or the browser blocked the request. */
export class NetworkError extends StocheditError {
  constructor(
    readonly request: string,
    cause: unknown,
  ) {
    super(`${request}: no answer (${cause instanceof Error ? cause.message : String(cause)})`, {
      retryable: true,
      cause,
    });
    this.name = "NetworkError";
  }
}

/**
 * Something other than the API answered with an error: object storage on an upload or a download (S3's XML error
 * body is kept whole in `body`), or a proxy in the way.
 */
export class HttpError extends StocheditError {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly body: string,
    requestId?: string,
  ) {
    super(`${request} answered ${status}${storageMessage(body)}`, {
      retryable: status === 429 || status >= 500,
      requestId,
    });
    this.name = "HttpError";
  }
}

/** S3's error bodies are XML: `<Error><Code>..</Code><Message>..</Message></Error>`. */
function storageMessage(body: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return code || message ? `: ${[code, message].filter(Boolean).join(": ")}` : "";
}

/** An answer that does not have the documented shape (a client older than a breaking change, or a wrong baseUrl). */
export class UnexpectedResponseError extends StocheditError {
  constructor(
    readonly request: string,
    /** Where the answer differs: `path: message` per issue. */
    readonly issues: readonly string[],
    requestId?: string,
  ) {
    super(`${request}: the answer does not match the API's schema (${issues.slice(0, 3).join("; ")})`, {
      retryable: false,
      requestId,
    });
    this.name = "UnexpectedResponseError";
  }
}

/** `wait()` (and the one-call helpers): the edit ended without an output. `edit` is how it ended. */
export class EditFailedError extends StocheditError {
  /** The job error's code (`image_invalid`, `attempts_exhausted`, ...), or the status when there is none. */
  readonly code: JobError["code"] | "canceled" | "expired";
  readonly status: Exclude<TerminalStatus, "succeeded">;

  constructor(readonly edit: Edit) {
    const status = edit.status as Exclude<TerminalStatus, "succeeded">;
    const reason = edit.error ? `${edit.error.code}: ${edit.error.message}` : status;
    super(`edit ${edit.id} ${status}: ${reason}`, { retryable: edit.error?.retryable ?? false });
    this.name = "EditFailedError";
    this.status = status;
    this.code = edit.error?.code ?? (status === "failed" ? "internal" : status);
  }
}

/** A downloaded output whose SHA-256 is not the one the API recorded. */
export class IntegrityError extends StocheditError {
  constructor(
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(`the downloaded output's SHA-256 is ${actualSha256}, the API recorded ${expectedSha256}`, {
      retryable: true,
    });
    this.name = "IntegrityError";
  }
}

/** A webhook whose headers, signature or timestamp do not check out: answer 400 and drop it. */
export class WebhookVerificationError extends StocheditError {
  constructor(message: string) {
    super(message, { retryable: false });
    this.name = "WebhookVerificationError";
  }
}
