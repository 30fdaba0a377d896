/** @module job-stop: why a running job was stopped before it finished (the reason its AbortSignal carries). */

/**
 * canceled: the user canceled (the edge said cancel_requested); lease_lost: the edge gave the job to someone else,
 * or the lease ran out without an answer; shutdown: the runner is stopping and the grace period is over.
 */
export type JobStopKind = "canceled" | "lease_lost" | "shutdown";

export class JobStop extends Error {
  override readonly name = "JobStop";
  constructor(
    readonly kind: JobStopKind,
    message: string,
  ) {
    super(message);
  }
}
