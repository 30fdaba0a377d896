/** @module tensor-io: finds inputs/outputs by name in a session signature and converts values to their dtype. */
import { JobFailure } from "../job-failure.js";
import { fromFloat16Array, toFloat16Array } from "./float16.js";
import type { SessionSignature, TensorPayload, TensorSpec } from "./tensor-payload.js";

/**
 * The input or output named one of `names` (exporters differ), else the only one there is.
 * A model without it cannot be used: model_not_found, naming what was expected and what the model has.
 */
export function findTensor(
  signature: SessionSignature,
  side: "inputs" | "outputs",
  names: readonly string[],
  model: string,
): TensorSpec {
  const specs = signature[side];
  const named = specs.find((spec) => names.includes(spec.name));
  if (named) return named;
  if (specs.length === 1 && specs[0]) return specs[0];
  const found = specs.map((spec) => spec.name).join(", ");
  throw new JobFailure(
    "model_not_found",
    `${model} has no ${side === "inputs" ? "input" : "output"} named ${names.join(" or ")} (it has: ${found || "none"})`,
  );
}

/** A float tensor's data: float32 values, or float16 half bits. */
export type FloatData = Float32Array | Uint16Array;

/** Float values as the spec's element type (float32, or float16 half bits). */
export function floatTensor(values: Float32Array, dims: readonly number[], spec: TensorSpec): TensorPayload {
  if (spec.type === "float32") return { type: "float32", dims, data: values };
  if (spec.type === "float16") return { type: "float16", dims, data: toFloat16Array(values) };
  throw new JobFailure("model_not_found", `input ${spec.name} has type ${spec.type}; float32 or float16 expected`);
}

/** A zero float tensor of the spec's element type, to fill with writeFloats; `shared`: in a SharedArrayBuffer. */
export function emptyFloatTensor(
  dims: readonly number[],
  spec: TensorSpec,
  { shared = false }: { shared?: boolean } = {},
): TensorPayload & { data: FloatData } {
  const size = dims.reduce((product, dim) => product * dim, 1);
  const buffer = (bytesPerValue: number) =>
    shared ? new SharedArrayBuffer(size * bytesPerValue) : new ArrayBuffer(size * bytesPerValue);
  if (spec.type === "float32") return { type: "float32", dims, data: new Float32Array(buffer(4)) };
  if (spec.type === "float16") return { type: "float16", dims, data: new Uint16Array(buffer(2)) };
  throw new JobFailure("model_not_found", `${spec.name} has type ${spec.type}; float32 or float16 expected`);
}

/** Writes float values into a float tensor's data from `offset` on, converted to its element type. */
export function writeFloats(data: FloatData, values: Float32Array, offset: number): void {
  if (data instanceof Float32Array) data.set(values, offset);
  else toFloat16Array(values, data.subarray(offset, offset + values.length));
}

/** A float tensor's values as float32, into `out` (of the same length). */
export function readFloats(data: FloatData, out: Float32Array): void {
  if (data instanceof Float32Array) out.set(data);
  else fromFloat16Array(data, out);
}

/** Integer (or, for float timesteps, float) values as the spec's element type. */
export function numberTensor(values: readonly number[], dims: readonly number[], spec: TensorSpec): TensorPayload {
  switch (spec.type) {
    case "int64":
      return { type: "int64", dims, data: BigInt64Array.from(values, (v) => BigInt(Math.round(v))) };
    case "int32":
      return { type: "int32", dims, data: Int32Array.from(values, Math.round) };
    case "float32":
    case "float16":
      return floatTensor(Float32Array.from(values), dims, spec);
    default:
      throw new JobFailure("model_not_found", `input ${spec.name} has type ${spec.type}; a number type expected`);
  }
}

/** A float32 or float16 output as float32. */
export function floatValues(payload: TensorPayload | undefined, name: string): Float32Array {
  if (payload?.type === "float32") return payload.data as Float32Array;
  if (payload?.type === "float16") return fromFloat16Array(payload.data as Uint16Array);
  throw new JobFailure(
    "model_error",
    `output ${name} is ${payload ? payload.type : "missing"}; float32 or float16 expected`,
  );
}
