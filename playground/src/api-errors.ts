/** @module api-errors: the ways a call can fail, each kept whole, and put in words for the page. */
import type { Problem } from "@stochedit/shared";
import type { z } from "zod";

/** The API answered with application/problem+json. */
export class ApiProblemError extends Error {
  constructor(
    readonly request: string,
    readonly problem: Problem,
  ) {
    super(`${request}: ${problem.title}: ${problem.detail}`);
    this.name = "ApiProblemError";
  }
}

/** Something answered with an error that is not a problem document (S3 on an upload, a proxy). */
export class HttpError extends Error {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${request} answered ${status}`);
    this.name = "HttpError";
  }
}

/** Nothing answered (the server is down, or the browser blocked the request). */
export class NetworkError extends Error {
  constructor(
    readonly request: string,
    readonly reason: string,
  ) {
    super(`${request}: ${reason}`);
    this.name = "NetworkError";
  }
}

/** An answer that does not have the shape the API documents. */
export class UnexpectedAnswerError extends Error {
  constructor(
    readonly request: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`${request}: unexpected answer`);
    this.name = "UnexpectedAnswerError";
  }
}

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
  if (error instanceof ApiProblemError) {
    const { problem } = error;
    return {
      title: `${problem.title} (${problem.status})`,
      lines: [
        problem.detail,
        ...(problem.errors ?? []).map((field) => `${field.path}: ${field.message}`),
        `${error.request} · request id ${problem.instance}`,
      ],
    };
  }
  if (error instanceof HttpError) {
    const said = s3Message(error.body) ?? error.body.slice(0, 300);
    return { title: `${error.request} answered ${error.status}`, lines: said ? [said] : [] };
  }
  if (error instanceof NetworkError) return { title: `${error.request} got no answer`, lines: [error.reason] };
  if (error instanceof UnexpectedAnswerError) {
    return {
      title: `${error.request}: the answer does not match the API's schema`,
      lines: error.issues.map((issue) => `${issue.path.map(String).join(".") || "(body)"}: ${issue.message}`),
    };
  }
  return { title: "Something went wrong", lines: [error instanceof Error ? error.message : String(error)] };
}
