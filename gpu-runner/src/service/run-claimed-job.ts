/**
 * @module run-claimed-job: one claimed job: download (the image of the priced size only), edit, upload, complete,
 * with heartbeats, progress and fencing.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type ClaimedJob, type CompleteRequest, type JobError, jobError } from "@stochedit/shared";
import type { EditResult } from "../edit/edit-job.js";
import { runEdit } from "../edit/run-edit.js";
import { JobFailure } from "../job-failure.js";
import type { SdModel } from "../model/sd-model.js";
import { GaussianStream } from "../noise/gaussian-stream.js";
import { heartbeatIntervalMs, type RunnerConfig } from "./config.js";
import { type EdgeClient, LeaseLost } from "./edge-client.js";
import { contentTypeOf, editSettingsOf } from "./edit-settings.js";
import { JobStop } from "./job-stop.js";
import { type LeaseKeeper, startLeaseKeeper } from "./lease-keeper.js";
import type { LogFields, Logger } from "./logger.js";
import { downloadObject, uploadObject } from "./object-transfer.js";
import { previewSender } from "./preview-sender.js";
import { checkPricedSize } from "./priced-input.js";
import { progressThrottle } from "./progress-throttle.js";
import type { JobOutcome, JobStep, RunnerMetrics } from "./runner-metrics.js";

export interface JobContext {
  readonly config: Pick<
    RunnerConfig,
    "modelName" | "heartbeatMaxMs" | "progressMinMs" | "httpTimeoutMs" | "maxDownloadBytes"
  >;
  readonly edge: EdgeClient;
  /** The loaded model (loaded again if its worker died). */
  readonly model: () => Promise<SdModel>;
  readonly metrics: RunnerMetrics;
  readonly log: Logger;
  /** Fires when the runner's shutdown grace period is over: the job is handed back. */
  readonly shutdown: AbortSignal;
}

/**
 * Runs a claimed job to one of its ends and reports it. A stop is checked before anything leaves the runner:
 * once the lease is lost nothing is uploaded or reported (another runner may hold the job); a cancel or a
 * shutdown hands the lease back with `release` (the edge keeps a canceled edit canceled and queues a handed-back
 * one again). Typed failures are reported with `fail`; anything else as `internal`.
 */
export async function runClaimedJob(job: ClaimedJob, context: JobContext): Promise<JobOutcome> {
  const outcome = await settleJob(job, context);
  context.metrics.jobs.inc({ outcome });
  return outcome;
}

async function settleJob(job: ClaimedJob, context: JobContext): Promise<JobOutcome> {
  const { edge, log } = context;
  const fields = { job: job.id, attempt: job.attempt, task: job.request.task };
  const aborter = new AbortController();
  const stop = (reason: JobStop) => {
    if (!aborter.signal.aborted) aborter.abort(reason);
  };
  const keeper = startLeaseKeeper({
    edge,
    jobId: job.id,
    leaseId: job.lease.id,
    leaseTtlMs: job.lease.ttl_ms,
    intervalMs: heartbeatIntervalMs(context.config, job.lease.ttl_ms),
    stop,
    log,
  });
  const onShutdown = () => stop(new JobStop("shutdown", "the runner is shutting down"));
  if (context.shutdown.aborted) onShutdown();
  context.shutdown.addEventListener("abort", onShutdown, { once: true });

  // The job's draws start before the download: the noise thread's head start on the edit's first operation.
  const gaussians = new GaussianStream(job.seed);
  log("info", "job started", fields);
  try {
    const body = await produceOutput(job, context, keeper, aborter.signal, gaussians);
    keeper.close();
    const started = performance.now();
    await edge.complete(job.id, body);
    context.metrics.stepSeconds.observe({ step: "complete" }, (performance.now() - started) / 1000);
    log("info", "job succeeded", { ...fields, bytes: body.output.bytes, ...secondsFields(body.timings ?? {}) });
    return "succeeded";
  } catch (error) {
    keeper.close();
    if (aborter.signal.aborted) return handBack(job, context, aborter.signal.reason as JobStop, fields);
    if (error instanceof LeaseLost) {
      log("warn", "lease lost: the job is not ours any more", { ...fields, error: error.message });
      return "lease_lost";
    }
    const failure = toJobError(error);
    if (failure.code === "internal") log("error", "job failed unexpectedly", { ...fields, error: describe(error) });
    context.metrics.jobFailures.inc({ code: failure.code });
    return report(context, fields, "failed", () => edge.fail(job.id, { lease_id: job.lease.id, error: failure }), {
      code: failure.code,
      error: failure.message,
    });
  } finally {
    keeper.close();
    gaussians.close();
    context.shutdown.removeEventListener("abort", onShutdown);
  }
}

/** Download, edit and upload; the complete call's body. Throws the stop reason as soon as the job is stopped. */
async function produceOutput(
  job: ClaimedJob,
  context: JobContext,
  keeper: LeaseKeeper,
  signal: AbortSignal,
  gaussians: GaussianStream,
): Promise<CompleteRequest> {
  const { config, edge, log, metrics } = context;
  const timings: Record<string, number> = {};
  const timed = async <T>(step: JobStep, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      timings[step] = Number(seconds.toFixed(4));
      metrics.stepSeconds.observe({ step }, seconds);
    }
  };
  const throwIfStopped = () => {
    if (signal.aborted) throw signal.reason;
  };

  if (job.model !== config.modelName) {
    throw new JobFailure("model_not_found", `model ${job.model} is not served here (${config.modelName} is)`);
  }
  const download = { maxBytes: config.maxDownloadBytes, timeoutMs: config.httpTimeoutMs, signal };
  const [image, mask] = await timed("download", () =>
    Promise.all([
      downloadObject(job.image.url, "image", download),
      job.mask ? downloadObject(job.mask.url, "mask", download) : undefined,
    ]),
  );
  await checkPricedSize(image, job.image);
  const throttle = progressThrottle(config.progressMinMs);
  const onProgress = ({ step, total }: { step: number; total: number }) => {
    if (!throttle.admit()) return;
    const sentAtMs = Date.now();
    edge
      .progress(job.id, { lease_id: job.lease.id, step, total })
      .then((status) => keeper.extended(sentAtMs, status))
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) keeper.lost(error);
        else log("warn", "progress report failed", { job: job.id, error: describe(error) });
      })
      .finally(() => throttle.settled());
  };
  const previews =
    job.request.previews > 0
      ? previewSender({ edge, jobId: job.id, leaseId: job.lease.id, keeper, log, signal })
      : undefined;
  const result: EditResult = await timed("edit", async () =>
    runEdit(
      await context.model(),
      { settings: editSettingsOf(job.request), seed: job.seed, image, ...(mask && { mask }) },
      {
        signal,
        onProgress,
        gaussians,
        ...(previews && { previews: { count: job.request.previews, onPreview: previews.send } }),
      },
    ),
  );
  if (previews) {
    // Part of the edit's time: the VAE decodes and JPEG encodes of the previews.
    timings.previews = Number(result.previewSeconds.toFixed(4));
    metrics.stepSeconds.observe({ step: "previews" }, result.previewSeconds);
  }
  keeper.checkNotExpired();
  throwIfStopped();
  await timed("upload", () => uploadObject(job.output, result.output, { timeoutMs: config.httpTimeoutMs, signal }));
  // Every preview reaches the edge before the edit ends there, so the event stream shows them before the result.
  await previews?.drained();
  throwIfStopped();
  return {
    lease_id: job.lease.id,
    output: {
      width: result.size.width,
      height: result.size.height,
      sha256: createHash("sha256").update(result.output).digest("hex"),
      bytes: result.output.byteLength,
      content_type: contentTypeOf[result.format],
    },
    timings,
  };
}

/** A stopped job: nothing more is said about a lost lease; a cancel or a shutdown gives the lease back. */
function handBack(job: ClaimedJob, context: JobContext, stop: JobStop, fields: LogFields): Promise<JobOutcome> {
  if (stop.kind === "lease_lost") {
    context.log("warn", "lease lost: stopped without reporting", { ...fields, reason: stop.message });
    return Promise.resolve("lease_lost");
  }
  const outcome = stop.kind === "canceled" ? "canceled" : "released";
  return report(context, fields, outcome, () => context.edge.release(job.id, { lease_id: job.lease.id }));
}

/** Sends the final call; a lease lost by then means the edge already settled the job (expired, or canceled). */
async function report(
  context: JobContext,
  fields: LogFields,
  outcome: "failed" | "canceled" | "released",
  send: () => Promise<void>,
  details: LogFields = {},
): Promise<JobOutcome> {
  try {
    await send();
    context.log(outcome === "failed" ? "warn" : "info", `job ${outcome}`, { ...fields, ...details });
    return outcome;
  } catch (error) {
    const lost = error instanceof LeaseLost;
    context.log(lost ? "warn" : "error", `could not report the job as ${outcome}`, {
      ...fields,
      error: describe(error),
    });
    return lost ? "lease_lost" : "unreported";
  }
}

function toJobError(error: unknown): JobError {
  if (error instanceof JobFailure) return error.toJobError();
  return jobError("internal", `the runner failed: ${describe(error)}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function secondsFields(timings: Record<string, number>): LogFields {
  return Object.fromEntries(Object.entries(timings).map(([step, seconds]) => [`${step}_s`, seconds]));
}
