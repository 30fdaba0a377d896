import { describe, expect, it } from "vitest";
import { Edit } from "./edit.js";
import { WebhookPayload, webhookEventType } from "./events.js";
import { JobError, jobError } from "./job-error.js";

describe("job errors and the edit resource", () => {
  it("builds typed errors with their retry policy", () => {
    expect(jobError("points_outside_image", "point [900, 10] is outside 512x512")).toEqual({
      code: "points_outside_image",
      message: "point [900, 10] is outside 512x512",
      retryable: false,
    });
    expect(jobError("model_error").retryable).toBe(true);
    expect(JobError.safeParse({ code: "oops", message: "x", retryable: false }).success).toBe(false);
  });

  it("validates a webhook payload around an edit", () => {
    const edit = {
      id: "ed_Q2w9Xk4LmN7pR1tYv8Zb",
      task: "drag",
      sampler: "sde",
      status: "failed",
      progress: { step: 3, total: 120 },
      price: 260000,
      charged: 0,
      error: jobError("image_invalid"),
      seed: 42,
      model: "stochedit-mini",
      attempts: 1,
      livemode: false,
      previews_ready: 0,
      created_at: "2026-11-24T09:00:00.000Z",
      started_at: "2026-11-24T09:00:01.000Z",
      finished_at: "2026-11-24T09:00:02.000Z",
      parent_id: null,
      retention_seconds: 3600,
      purge_at: "2026-11-24T10:00:02.000Z",
      purged_at: null,
      links: {
        self: "/v1/edits/x",
        cancel: "/v1/edits/x/cancel",
        events: "/v1/edits/x/events",
        previews: "/v1/edits/x/previews",
        output: "/v1/edits/x/output",
      },
    };
    expect(Edit.parse(edit)).toEqual(edit);
    const payload = { type: webhookEventType("failed"), timestamp: edit.finished_at, livemode: false, data: edit };
    expect(WebhookPayload.parse(payload).type).toBe("edit.failed");
    expect(WebhookPayload.safeParse({ ...payload, livemode: undefined }).success).toBe(false);
    expect(webhookEventType("queued")).toBeUndefined();
    expect(Edit.safeParse({ ...edit, price: 1.5 }).success).toBe(false);
  });
});
