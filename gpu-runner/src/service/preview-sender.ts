/** @module preview-sender: a job's previews to the edge, one call at a time and in order, each fenced by the lease. */
import type { PreviewImage } from "../edit/edit-job.js";
import { type EdgeClient, LeaseLost } from "./edge-client.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { Logger } from "./logger.js";

export interface PreviewSender {
  /** Queues a preview behind those handed in before it; the edit does not wait for the call. */
  send(preview: PreviewImage): void;
  /** Resolves once every preview handed in so far has been answered or given up on. */
  drained(): Promise<void>;
}

/**
 * Unlike progress, no preview is dropped for a newer one: each is a picture the user paid for. A failed call is
 * logged and the next one still goes (previews are a view of the work, not the result); a lost lease stops the job
 * through the keeper, and once the job is stopped nothing more is sent.
 */
export function previewSender(job: {
  edge: EdgeClient;
  jobId: string;
  leaseId: string;
  keeper: LeaseKeeper;
  log: Logger;
  signal: AbortSignal;
}): PreviewSender {
  let queue: Promise<void> = Promise.resolve();
  const post = async (preview: PreviewImage) => {
    if (job.signal.aborted) return;
    const sentAtMs = Date.now();
    try {
      const status = await job.edge.preview(job.jobId, {
        lease_id: job.leaseId,
        index: preview.index,
        step: preview.step,
        total: preview.total,
        width: preview.width,
        height: preview.height,
        content_type: "image/jpeg",
        data: Buffer.from(preview.jpeg).toString("base64"),
      });
      job.keeper.extended(sentAtMs, status);
    } catch (error) {
      if (error instanceof LeaseLost) job.keeper.lost(error);
      else job.log("warn", "preview report failed", { job: job.jobId, index: preview.index, error: String(error) });
    }
  };
  return {
    send(preview) {
      queue = queue.then(() => post(preview));
    },
    drained: () => queue,
  };
}
