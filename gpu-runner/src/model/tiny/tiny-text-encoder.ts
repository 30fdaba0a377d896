/** @module tiny-text-encoder: a CLIP-signature text encoder (embeddings, causal mixing, one dense layer). */
import { OnnxGraph } from "./onnx-graph.js";
import type { WeightSource } from "./seeded-weights.js";
import { type TinyModelSpec, tinyDimensions } from "./tiny-model-spec.js";

/**
 * input_ids [batch, sequence] -> last_hidden_state [batch, sequence, hidden], pooler_output [batch, hidden].
 * A running mean over positions stands in for CLIP's causal attention: every token sees the ones before it.
 */
export function tinyTextEncoder(spec: TinyModelSpec, vocabSize: number, weights: WeightSource): Uint8Array {
  const { contextLength, textHiddenSize: hidden } = tinyDimensions;
  const g = new OnnxGraph("text_encoder");
  const ids = g.input("input_ids", spec.inputIdsType, ["batch_size", "sequence_length"]);
  const tokenTable = g.weight(weights(vocabSize * hidden, 1), [vocabSize, hidden], spec.precision);
  const positionTable = g.weight(weights(contextLength * hidden, 0.5), [contextLength, hidden], spec.precision);
  const embedded = g.node("Add", [g.node("Gather", [tokenTable, ids], { axis: 0 }), positionTable]);

  const counts = Float32Array.from({ length: contextLength }, (_, i) => i + 1);
  const runningSum = g.node("CumSum", [embedded, g.ints([1], [])]);
  const runningMean = g.node("Div", [runningSum, g.floats(counts, [contextLength, 1])]);

  const dense = g.weight(weights(hidden * hidden, 1 / Math.sqrt(hidden)), [hidden, hidden], spec.precision);
  const bias = g.weight(weights(hidden, 0.1), [hidden], spec.precision);
  const hiddenStates = g.node("Tanh", [g.node("Add", [g.node("MatMul", [runningMean, dense]), bias])]);
  const pooled = g.node("ReduceMean", [hiddenStates], { axes: [1], keepdims: 0 });

  const outputs =
    spec.precision === "float16"
      ? [g.cast(hiddenStates, "float16"), g.cast(pooled, "float16")]
      : [hiddenStates, pooled];
  g.node("Identity", [outputs[0]!], {}, "last_hidden_state");
  g.node("Identity", [outputs[1]!], {}, "pooler_output");
  g.output("last_hidden_state", spec.precision, ["batch_size", "sequence_length", hidden]);
  g.output("pooler_output", spec.precision, ["batch_size", hidden]);
  return g.build();
}
