/** @module worker-protocol: the messages between the inference worker thread and its client. */
import type { ExecutionProvider, SessionSignature, TensorPayload } from "./tensor-payload.js";

export interface SessionOptions {
  readonly executionProvider: ExecutionProvider;
  /** ONNX Runtime's intra-op threads; undefined lets it pick (one per core). */
  readonly intraOpThreads?: number;
}

export type WorkerRequest =
  | {
      readonly kind: "load";
      readonly id: number;
      readonly session: string;
      readonly path: string;
      readonly options: SessionOptions;
    }
  | {
      readonly kind: "run";
      readonly id: number;
      readonly session: string;
      readonly feeds: Record<string, TensorPayload>;
      /** Outputs to write into these shared buffers (of the output's type and dims) instead of answering them. */
      readonly outputsInto: Record<string, TensorPayload>;
    };

export type WorkerResponse =
  | {
      readonly kind: "loaded";
      readonly id: number;
      readonly signature: SessionSignature;
      readonly executionProvider: ExecutionProvider;
      /** Why CUDA was asked for but the session runs on the CPU. */
      readonly fallbackReason?: string;
    }
  | {
      readonly kind: "ran";
      readonly id: number;
      readonly outputs: Record<string, TensorPayload>;
      /** Wall time of session.run inside the worker. */
      readonly runMs: number;
    }
  | { readonly kind: "failed"; readonly id: number; readonly message: string };
