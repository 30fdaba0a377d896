/** @module api-errors: the client's typed errors put in words for the page. */
import { ApiError, HttpError, NetworkError, UnexpectedResponseError } from "@stochedit/client";

export interface ErrorText {
  readonly title: string;
  readonly lines: readonly string[];
}

/** S3 error bodies are XML: `<Error><Code>..</Code><Message>..</Message></Error>`. */
function s3Message(body: string): string | undefined {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return code || message ? [code, message].filter(Boolean).join(": ") : undefined;
}

export function describeError(error: unknown): ErrorText {
  if (error instanceof ApiError) {
    return {
      title: `${error.title} (${error.status})`,
      lines: [
        error.detail,
        ...error.fieldErrors.map((field) => `${field.path}: ${field.message}`),
        `${error.request} · request id ${error.requestId}`,
      ],
    };
  }
  if (error instanceof HttpError) {
    const said = s3Message(error.body) ?? error.body.slice(0, 300);
    return { title: `${error.request} answered ${error.status}`, lines: said ? [said] : [] };
  }
  if (error instanceof NetworkError) {
    const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
    return { title: `${error.request} got no answer`, lines: [reason] };
  }
  if (error instanceof UnexpectedResponseError) {
    return { title: `${error.request}: the answer does not match the API's schema`, lines: [...error.issues] };
  }
  return { title: "Something went wrong", lines: [error instanceof Error ? error.message : String(error)] };
}
