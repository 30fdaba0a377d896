/**
 * @module schemas: the API's zod schemas and types, taken from the project's shared package by relative path so that
 * the build compiles them into this package's dist (the published client depends on zod only, not on
 * @stochedit/shared). The one place this package reaches outside itself.
 */
export {
  AccountView,
  type LedgerEntry,
  type LedgerKind,
  WebhookSecret,
} from "../../shared/src/account.js";
export {
  Edit,
  EditAccepted,
  EditList,
  type EditListQuery,
  type EditOutput,
  type EditStatus,
  isTerminal,
  type Progress,
  type TerminalStatus,
} from "../../shared/src/edit.js";
export type {
  DragPair,
  EditRequestInput,
  OutputFormat,
  Point,
  Sampler,
  Task,
} from "../../shared/src/edit-request.js";
export { EditEvent, WebhookPayload } from "../../shared/src/events.js";
export type { JobError, JobErrorCode } from "../../shared/src/job-error.js";
export { uploadLimits } from "../../shared/src/limits.js";
export type { EditPreview } from "../../shared/src/previews.js";
export { Quote } from "../../shared/src/pricing.js";
export { Problem, type ProblemCode, type ProblemFieldError } from "../../shared/src/problem.js";
export { type ImageContentType, UploadResponse } from "../../shared/src/uploads.js";
export { WebhookDeliveryList } from "../../shared/src/webhook-delivery.js";
