/** @module tensor-payload: tensors and session signatures as they cross the worker-thread boundary. */

/** The element types the SD exports use for inputs and outputs. */
export type TensorElementType = "float32" | "float16" | "int64" | "int32";

export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array;

/**
 * A tensor as plain data (structured-clonable): float16 is carried as half bits in a Uint16Array. Data in a
 * SharedArrayBuffer crosses to the worker without a copy: the caller's buffers for a call it makes again and again.
 */
export interface TensorPayload {
  readonly type: TensorElementType;
  readonly dims: readonly number[];
  readonly data: TensorData;
  /**
   * Set on a constant feed (InferenceClient.constant): its data never changes, and the session thread keeps the
   * tensor it made of it under this key for the runs that pass it again.
   */
  readonly constantKey?: number;
}

/** One input or output of a session, from its metadata: a dimension is a size or a symbolic name. */
export interface TensorSpec {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

export interface SessionSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** "cpu", or "cuda" on a GPU host whose CUDA provider libraries are installed. */
export type ExecutionProvider = "cpu" | "cuda";

export function isTensorElementType(type: string): type is TensorElementType {
  return type === "float32" || type === "float16" || type === "int64" || type === "int32";
}
