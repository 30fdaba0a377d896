/** @module job-failure: the typed errors a job fails with (codes from @stochedit/shared) and cancellation. */
import { type JobError, type JobErrorCode, jobError } from "@stochedit/shared";

/** A failure the job reports as `error.code`; the message names the value received and what was allowed. */
export class JobFailure extends Error {
  override readonly name = "JobFailure";
  constructor(
    readonly code: JobErrorCode,
    message?: string,
  ) {
    super(message ?? jobError(code).message);
  }

  toJobError(): JobError {
    return jobError(this.code, this.message);
  }
}

/** Thrown between steps when the job's AbortSignal fired (the user canceled, or the lease was lost). */
export class JobCanceled extends Error {
  override readonly name = "JobCanceled";
}
