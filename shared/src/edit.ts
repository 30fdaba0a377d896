/** @module edit: the edit (job) resource as GET /v1/edits/{id} returns it, its status and list query. */
import { z } from "zod";
import { inMicroCredits } from "./credits.js";
import { Sampler, Task } from "./edit-request.js";
import { EditId } from "./ids.js";
import { JobError } from "./job-error.js";
import { listLimits } from "./limits.js";

export const EditStatus = z
  .enum(["queued", "running", "succeeded", "failed", "canceled", "expired"])
  .meta({ id: "EditStatus" });
export type EditStatus = z.infer<typeof EditStatus>;

export const terminalStatuses = ["succeeded", "failed", "canceled", "expired"] as const satisfies readonly EditStatus[];
export type TerminalStatus = (typeof terminalStatuses)[number];
export function isTerminal(status: EditStatus): status is TerminalStatus {
  return (terminalStatuses as readonly EditStatus[]).includes(status);
}

export const Progress = z.object({ step: z.int().min(0), total: z.int().min(0) }).meta({ id: "Progress" });
export type Progress = z.infer<typeof Progress>;

export const EditOutput = z
  .object({
    url: z.url().meta({ description: "Presigned GET URL of the result" }),
    expires_at: z.iso.datetime(),
    width: z.int(),
    height: z.int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    content_type: z.string(),
  })
  .meta({ id: "EditOutput" });
export type EditOutput = z.infer<typeof EditOutput>;

export const EditLinks = z.object({
  self: z.string(),
  cancel: z.string(),
  events: z.string(),
  previews: z.string(),
  output: z.string().meta({ description: "GET: 302 to the output; DELETE: delete the pixels now" }),
});

export const Edit = z
  .object({
    id: EditId,
    task: Task,
    sampler: Sampler,
    status: EditStatus,
    progress: Progress,
    price: z.int().meta({ description: inMicroCredits("The price, held at submission") }),
    charged: z.int().meta({ description: inMicroCredits("What was captured: the price once succeeded, else 0") }),
    output: EditOutput.optional(),
    error: JobError.optional(),
    seed: z.int(),
    model: z.string(),
    attempts: z.int(),
    livemode: z.boolean().meta({
      description: "false for an edit made with an sk_test_ key: free, run on the test model, seen only by test keys",
    }),
    previews_ready: z.int().meta({
      description: "Previews the latest run has sent so far (GET /v1/edits/{id}/previews, `preview` events)",
    }),
    created_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    finished_at: z.iso.datetime().nullable(),
    parent_id: EditId.nullable().meta({ description: "The edit whose output was this edit's input, if chained" }),
    chain: z.array(EditId).optional().meta({
      description:
        "GET /v1/edits/{id} of a chained edit: the edits it descends from, the first (edited from an upload) first",
    }),
    retention_seconds: z.int(),
    purge_at: z.iso
      .datetime()
      .nullable()
      .meta({ description: "When the output and inputs will be deleted: finished_at + retention_seconds" }),
    purged_at: z.iso
      .datetime()
      .nullable()
      .meta({ description: "When they were deleted (retention ended, or DELETE /v1/edits/{id}/output)" }),
    links: EditLinks,
  })
  .meta({ id: "Edit" });
export type Edit = z.infer<typeof Edit>;

export const EditAccepted = Edit.pick({
  id: true,
  status: true,
  price: true,
  livemode: true,
  created_at: true,
  links: true,
}).meta({
  id: "EditAccepted",
});
export type EditAccepted = z.infer<typeof EditAccepted>;

export const EditListQuery = z.object({
  status: EditStatus.optional(),
  limit: z.coerce.number().int().min(1).max(listLimits.maxLimit).default(listLimits.defaultLimit),
  cursor: z.string().max(200).optional(),
});
export type EditListQuery = z.infer<typeof EditListQuery>;

export const EditList = z.object({ data: z.array(Edit), next_cursor: z.string().nullable() }).meta({ id: "EditList" });
export type EditList = z.infer<typeof EditList>;
