/** @module inference-client: what the model code asks of the thread that runs its sessions (load, run, timings). */
import type { ExecutionProvider, SessionSignature, TensorPayload } from "./tensor-payload.js";
import type { SessionOptions } from "./worker-protocol.js";

export interface LoadedSession {
  readonly name: string;
  readonly signature: SessionSignature;
  readonly executionProvider: ExecutionProvider;
  readonly fallbackReason?: string;
}

/** Time spent per session: inside session.run and per call as the caller saw it. */
export interface SessionTiming {
  calls: number;
  runMs: number;
  roundTripMs: number;
}

/**
 * Where the sessions run: a worker thread (WorkerInferenceClient: session.run blocks its thread for the whole
 * inference, seconds on a CPU) or the caller's own thread (InThreadInferenceClient: no hand-off per call, for
 * sessions whose calls are short, as on a GPU).
 */
export type SessionThread = "worker" | "main";

/** Outputs to write into these buffers (of the output's type and dims) instead of fresh ones. */
export interface RunOptions {
  readonly outputsInto?: Record<string, TensorPayload>;
}

export interface InferenceClient {
  readonly thread: SessionThread;
  /** False once the client crashed or was closed: load the model again on a new client. */
  readonly alive: boolean;
  readonly timings: ReadonlyMap<string, Readonly<SessionTiming>>;
  load(session: string, path: string, options: SessionOptions): Promise<LoadedSession>;
  /**
   * A feed for many runs (an edit's prompt embeddings): the session thread makes its tensor once and keeps it for
   * later runs (the latest few; one dropped is made again from the same data).
   */
  constant(tensor: TensorPayload): TensorPayload;
  /**
   * Buffers for a call made again and again (a UNet's sample and output): shared memory where the sessions run in
   * another thread, so that it crosses without a copy.
   */
  readonly sharedBuffers: boolean;
  /**
   * Runs a session on `feeds` and answers its outputs. Outputs named in `outputsInto` are written into those
   * buffers instead, which the answer then holds: a caller that runs a session again and again reuses them.
   */
  run(
    session: string,
    feeds: Record<string, TensorPayload>,
    options?: RunOptions,
  ): Promise<Record<string, TensorPayload>>;
  close(): Promise<void>;
}

/** Adds one call to a session's timing. */
export function recordTiming(
  timings: Map<string, SessionTiming>,
  session: string,
  runMs: number,
  roundTripMs: number,
): void {
  const timing = timings.get(session) ?? { calls: 0, runMs: 0, roundTripMs: 0 };
  timing.calls += 1;
  timing.runMs += runMs;
  timing.roundTripMs += roundTripMs;
  timings.set(session, timing);
}
