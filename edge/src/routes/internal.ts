/**
 * @module routes/internal: the runners' routes (claim, heartbeat, progress, preview, complete, fail, release), HMAC-signed,
 * and the autoscaler's backlog metrics. Not public: they stay out of the OpenAPI document.
 */
import {
  type BacklogMetrics,
  ClaimRequest,
  CompleteRequest,
  EditId,
  FailRequest,
  HeartbeatRequest,
  PreviewRequest,
  ProgressRequest,
  ReleaseRequest,
} from "@stochedit/shared";
import type { Context } from "hono";
import type { z } from "zod";
import { internalAuth } from "../auth/internal-auth.js";
import { metricsAuth } from "../auth/metrics-token.js";
import { readConfig } from "../config.js";
import { countOwedWebhooks } from "../db/webhook-outbox.js";
import { dispatcherStub } from "../dispatch/dispatcher.js";
import { claimJob } from "../edits/claim-job.js";
import { completeJob, failJob, releaseJob } from "../edits/finish-job.js";
import { heartbeatJob, reportPreview, reportProgress } from "../edits/lease-calls.js";
import { ApiError, fieldProblem } from "../http/api-error.js";
import type { AppEnv } from "../http/app-env.js";
import { newRouter } from "../http/router.js";
import { invalidRequest } from "../http/validation-hook.js";

export const internalRoutes = newRouter();

internalRoutes.use("/internal/claim", internalAuth());
internalRoutes.use("/internal/jobs/*", internalAuth());

internalRoutes.post("/internal/claim", async (c) => {
  const job = await claimJob(c.env, readConfig(c.env), await signedBody(c, ClaimRequest));
  return job ? c.json(job, 200) : c.body(null, 204);
});

internalRoutes.post("/internal/jobs/:id/heartbeat", async (c) => {
  const body = await signedBody(c, HeartbeatRequest);
  return c.json(await heartbeatJob(c.env, jobId(c), body.lease_id), 200);
});

internalRoutes.post("/internal/jobs/:id/progress", async (c) => {
  return c.json(await reportProgress(c.env, jobId(c), await signedBody(c, ProgressRequest)), 200);
});

internalRoutes.post("/internal/jobs/:id/preview", async (c) => {
  return c.json(await reportPreview(c.env, jobId(c), await signedBody(c, PreviewRequest)), 200);
});

internalRoutes.post("/internal/jobs/:id/complete", async (c) => {
  const body = await signedBody(c, CompleteRequest);
  return c.json(await completeJob(c.env, readConfig(c.env), jobId(c), body), 200);
});

internalRoutes.post("/internal/jobs/:id/fail", async (c) => {
  return c.json(await failJob(c.env, jobId(c), await signedBody(c, FailRequest)), 200);
});

internalRoutes.post("/internal/jobs/:id/release", async (c) => {
  const body = await signedBody(c, ReleaseRequest);
  return c.json(await releaseJob(c.env, jobId(c), body.lease_id), 200);
});

internalRoutes.get("/internal/metrics", metricsAuth(), async (c) => {
  // The autoscaled (GPU) pool's work: test-mode edits run on the test model's own runners and do not count.
  const testModel = readConfig(c.env).testModel;
  const [backlog, webhooksOwed] = await Promise.all([
    dispatcherStub(c.env).backlog(testModel),
    countOwedWebhooks(c.env.DB),
  ]);
  const metrics: BacklogMetrics = {
    queued: backlog.ready,
    running: backlog.leased,
    backlog: backlog.ready + backlog.leased,
    oldest_queued_age_ms: backlog.oldestReadyAtMs === null ? 0 : Math.max(0, Date.now() - backlog.oldestReadyAtMs),
    webhooks_owed: webhooksOwed,
  };
  return c.json(metrics, 200);
});

function jobId(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!EditId.safeParse(id).success) throw fieldProblem("id", `${JSON.stringify(id)} is not an edit id`);
  return id;
}

/** The body internalAuth verified (Hono cached its text), parsed with the shared protocol schema. */
async function signedBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError("bad_request", "the body is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidRequest("body", parsed.error.issues);
  return parsed.data;
}
