/** @module job-error: the typed error codes a job can fail with, and whether a retry could help. */
import { z } from "zod";

/** Every way an edit can fail. `retryable` codes are retried by the dispatcher (bounded attempts). */
export const jobErrorCodes = {
  image_missing: { retryable: false, message: "the uploaded image was not found (was the PUT made?)" },
  image_invalid: { retryable: false, message: "the image could not be decoded as PNG, JPEG or WebP" },
  image_too_large: { retryable: false, message: "the image exceeds the size or pixel limits" },
  image_too_small: { retryable: false, message: "the image is smaller than the minimum side" },
  input_changed: { retryable: false, message: "the image is not the one the edit was priced for (another size)" },
  mask_missing: { retryable: false, message: "the uploaded mask was not found" },
  mask_invalid: { retryable: false, message: "the mask could not be decoded" },
  mask_size_mismatch: { retryable: false, message: "the mask does not have the image's size" },
  points_outside_image: { retryable: false, message: "a drag point lies outside the image" },
  prompt_too_long: { retryable: false, message: "the prompt is longer than 77 CLIP tokens" },
  invalid_parameters: { retryable: false, message: "the parameters are out of range" },
  model_not_found: { retryable: false, message: "the requested model is not served" },
  model_error: { retryable: true, message: "the model failed while running" },
  output_upload_failed: { retryable: true, message: "the result could not be stored" },
  runner_lost: { retryable: true, message: "the runner stopped reporting (lease expired)" },
  attempts_exhausted: { retryable: false, message: "the job failed on every attempt" },
  expired: { retryable: false, message: "no runner picked the job up in time" },
  internal: { retryable: true, message: "an internal error occurred" },
} as const;

export type JobErrorCode = keyof typeof jobErrorCodes;
export const JobErrorCode = z.enum(Object.keys(jobErrorCodes) as [JobErrorCode, ...JobErrorCode[]]).meta({
  id: "JobErrorCode",
});

export const JobError = z
  .object({
    code: JobErrorCode,
    message: z.string().meta({ description: "What went wrong, with the value received and what was allowed" }),
    retryable: z.boolean(),
  })
  .meta({ id: "JobError" });
export type JobError = z.infer<typeof JobError>;

export function jobError(code: JobErrorCode, message: string = jobErrorCodes[code].message): JobError {
  return { code, message, retryable: jobErrorCodes[code].retryable };
}
