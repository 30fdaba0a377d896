/** @module onnx-graph: a small builder for ONNX graphs (nodes, initializers, typed inputs/outputs) with onnx-proto. */
import onnxProto from "onnx-proto";
import { toFloat16Array } from "../float16.js";

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

export type ElementType = "float32" | "float16" | "int64" | "int32";
/** A dimension: a fixed size or a symbolic name (like optimum's "batch_size"). */
export type Dim = number | string;

const dataTypes: Record<ElementType, number> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  int64: DataType.INT64,
  int32: DataType.INT32,
};

/** Integer attributes as numbers, float attributes as `{ float }` (ONNX types them differently). */
export type AttributeValue = number | readonly number[] | { readonly float: number };

/** Collects nodes and initializers; `build` returns the serialized model that InferenceSession.create accepts. */
export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private nextId = 0;

  constructor(private readonly name: string) {}

  input(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: ElementType, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** A float32 constant, stored as float32 or (weights of fp16 models) as half bits in rawData. */
  floats(values: Float32Array, dims: readonly number[], storage: "float32" | "float16" = "float32"): string {
    const name = this.freshName("w");
    const raw =
      storage === "float32" ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength) : halfBytes(values);
    this.initializers.push({ name, dims: [...dims], dataType: dataTypes[storage], rawData: raw });
    return name;
  }

  /** A float32 value for the graph: a float32 initializer, or half-bit storage followed by a Cast (fp16 models). */
  weight(values: Float32Array, dims: readonly number[], storage: "float32" | "float16"): string {
    const stored = this.floats(values, dims, storage);
    return storage === "float32" ? stored : this.cast(stored, "float32");
  }

  cast(input: string, to: ElementType): string {
    return this.node("Cast", [input], { to: dataTypes[to] });
  }

  /** An int64 constant; `dims` [] makes a scalar. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.freshName("i");
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** Adds one node and returns the name of its (first) output; `outputName` names a graph output. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    outputName?: string,
  ) {
    const output = outputName ?? this.freshName(opType.toLowerCase());
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [output],
      name: this.freshName(`${opType}_node`),
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  build(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 17 }],
      producerName: "stochedit-tiny",
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private freshName(prefix: string): string {
    this.nextId += 1;
    return `${prefix}_${this.nextId}`;
  }
}

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dataTypes[type],
        shape: { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const AttributeType = onnx.AttributeProto.AttributeType;
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.INTS, ints: [...value] };
}

function halfBytes(values: Float32Array): Uint8Array {
  const halves = toFloat16Array(values);
  return new Uint8Array(halves.buffer);
}
