/**
 * @module @stochedit/client: the stochedit API for apps and their backends, on any runtime with fetch (React Native /
 * Expo, browsers, Node 20+, Deno, Workers). Every answer is checked by the API's own schemas.
 */
export {
  type CallOptions,
  type ClientOptions,
  type CreateEditOptions,
  type DragParams,
  type ImageInput,
  type Img2ImgParams,
  type InpaintParams,
  type ListEditsQuery,
  type OneCallOptions,
  StocheditClient,
  type UploadOptions,
} from "./client.js";
export type { OutputBytes } from "./download-output.js";
export {
  ApiError,
  EditFailedError,
  HttpError,
  IntegrityError,
  NetworkError,
  StocheditError,
  UnexpectedResponseError,
  WebhookVerificationError,
} from "./errors.js";
export { newIdempotencyKey } from "./idempotency-key.js";
export { encodeMaskPng } from "./mask-png.js";
export type { RetryOptions } from "./retry-policy.js";
export type {
  AccountView,
  DragPair,
  Edit,
  EditAccepted,
  EditList,
  EditOutput,
  EditRequestInput,
  EditStatus,
  ImageContentType,
  JobError,
  JobErrorCode,
  LedgerEntry,
  OutputFormat,
  Point,
  ProblemCode,
  ProblemFieldError,
  Progress,
  Quote,
  Sampler,
  Task,
  TerminalStatus,
} from "./schemas.js";
export { isTerminal, WebhookPayload } from "./schemas.js";
export { sniffImageType, type UploadSource } from "./upload-source.js";
export { type VerifyWebhookOptions, verifyWebhook, type WebhookHeaders } from "./verify-webhook.js";
export type { EditUpdate, WaitOptions } from "./wait-for-edit.js";
