/**
 * @module runner-protocol: the internal edge <-> GPU runner bodies (claim, heartbeat, progress, preview, complete,
 * fail, release).
 */
import { z } from "zod";
import { EditStatus } from "./edit.js";
import { EditRequest, OutputFormat } from "./edit-request.js";
import { EditId } from "./ids.js";
import { JobError } from "./job-error.js";
import { editLimits, previewLimits } from "./limits.js";
import { base64ByteLength, previewDataMaxChars } from "./previews.js";

/** Runner -> edge: ask for one job. 204 when none is ready. */
export const ClaimRequest = z.object({
  runner_id: z.string().min(1).max(120),
  /** Model names this runner serves; a job for another model is not handed to it. */
  models: z.array(z.string().max(64)).min(1).max(32),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const Lease = z.object({
  /** Fencing token: every later call for this job must carry it; a lost lease makes them 409 lease_lost. */
  id: z.string().min(16).max(80),
  expires_at: z.iso.datetime(),
  ttl_ms: z.int().min(1),
});
export type Lease = z.infer<typeof Lease>;

export const PresignedGet = z.object({ url: z.url() });
/** The image's size as the edit was priced: the runner refuses an image of another size (`input_changed`). */
export const PricedImage = PresignedGet.extend({ width: z.int().min(1), height: z.int().min(1) });
export const PresignedPut = z.object({
  url: z.url(),
  headers: z.record(z.string(), z.string()),
  /** The object key the output is stored under. */
  key: z.string(),
});

export const ClaimedJob = z.object({
  id: EditId,
  attempt: z.int().min(1),
  lease: Lease,
  /** The request as accepted: defaults filled, seed chosen. */
  request: EditRequest,
  /** The runner checks no limit of its own: the seed's is the request's. */
  seed: z.int().min(0).max(editLimits.seedMax),
  model: z.string(),
  /** The edit's own copy of the uploaded image, which no presigned PUT can write. */
  image: PricedImage,
  mask: PresignedGet.optional(),
  output: PresignedPut.extend({ format: OutputFormat }),
});
export type ClaimedJob = z.infer<typeof ClaimedJob>;

export const LeaseRef = z.object({ lease_id: z.string().min(16).max(80) });

export const HeartbeatRequest = LeaseRef;
export const ProgressRequest = LeaseRef.extend({ step: z.int().min(0), total: z.int().min(1) });

/** One preview JPEG, base64; sent one at a time, in index order, fenced by the lease like progress. */
export const PreviewRequest = LeaseRef.extend({
  // A drag's copy-pasted start comes before its maxCount previewed steps.
  index: z.int().min(0).max(previewLimits.maxCount),
  step: z.int().min(0),
  total: z.int().min(1),
  width: z.int().min(1).max(previewLimits.maxSide),
  height: z.int().min(1).max(previewLimits.maxSide),
  content_type: z.literal("image/jpeg"),
  data: z
    .base64()
    .max(previewDataMaxChars)
    .refine((data) => base64ByteLength(data) <= previewLimits.maxBytes, {
      error: `a preview is at most ${previewLimits.maxBytes} bytes`,
    }),
});
export type PreviewRequest = z.infer<typeof PreviewRequest>;

/** Answer to heartbeat, progress and preview: the extended lease, and whether the user asked to cancel. */
export const LeaseStatus = z.object({ lease_expires_at: z.iso.datetime(), cancel_requested: z.boolean() });
export type LeaseStatus = z.infer<typeof LeaseStatus>;

export const CompleteRequest = LeaseRef.extend({
  output: z.object({
    width: z.int().min(1),
    height: z.int().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.int().min(1),
    content_type: z.string(),
  }),
  /** Seconds spent per phase, for metrics and replay notes. */
  timings: z.record(z.string(), z.number()).optional(),
});
export type CompleteRequest = z.infer<typeof CompleteRequest>;

export const FailRequest = LeaseRef.extend({ error: JobError });
export type FailRequest = z.infer<typeof FailRequest>;

/** Hands the job back unfinished (graceful shutdown): it is queued again without counting a failure. */
export const ReleaseRequest = LeaseRef;

export const JobStateResponse = z.object({ id: EditId, status: EditStatus });
export type JobStateResponse = z.infer<typeof JobStateResponse>;

/** GET /internal/metrics: what the autoscaler (KEDA metrics-api) reads. */
export const BacklogMetrics = z.object({
  queued: z.int().min(0),
  running: z.int().min(0),
  /** queued + running: the number of runner slots that would be busy. */
  backlog: z.int().min(0),
  oldest_queued_age_ms: z.int().min(0),
  /** Webhooks owed but not yet queued (rows of the edge's webhook outbox): a count that keeps growing needs a look. */
  webhooks_owed: z.int().min(0),
});
export type BacklogMetrics = z.infer<typeof BacklogMetrics>;

export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;
export type ProgressRequest = z.infer<typeof ProgressRequest>;
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;
