/** @module problem: RFC 9457 problem details, with the stable problem types the API returns. */
import { z } from "zod";
import { Quote } from "./pricing.js";

export const problemTypeBase = "https://docs.stochedit.dev/problems/";

/** Stable problem codes and their HTTP status. Clients match on `code` (or `type`, its URI form). */
export const problemCodes = {
  bad_request: 400,
  unauthorized: 401,
  insufficient_credits: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_conflict: 409,
  lease_lost: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  price_above_max: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ProblemCode = keyof typeof problemCodes;

export const ProblemFieldError = z.object({
  path: z.string().meta({ description: "JSON path of the offending field, e.g. points.0.from" }),
  message: z.string(),
});

export const Problem = z
  .object({
    type: z.string().meta({ description: "URI of the problem type", example: `${problemTypeBase}validation_failed` }),
    code: z.enum(Object.keys(problemCodes) as [ProblemCode, ...ProblemCode[]]),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().meta({ description: "The request id this problem belongs to" }),
    errors: z.array(ProblemFieldError).optional(),
    quote: Quote.optional().meta({ description: "price_above_max: the quote the submission was refused on" }),
    retryable: z.boolean(),
  })
  .meta({ id: "Problem" });

export type ProblemFieldError = z.infer<typeof ProblemFieldError>;
export type Problem = z.infer<typeof Problem>;

/** Turns zod issues into `{path, message}` pairs, paths dotted (`points.0.from`). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): ProblemFieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(body)", message: issue.message }));
}
