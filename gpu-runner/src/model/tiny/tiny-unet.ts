/** @module tiny-unet: a UNet-signature noise predictor (three convolutions, timestep and text conditioning). */
import { OnnxGraph } from "./onnx-graph.js";
import type { WeightSource } from "./seeded-weights.js";
import { type TinyModelSpec, tinyDimensions } from "./tiny-model-spec.js";

/**
 * sample [batch, 4|9, h, w], timestep (float scalar or int64 [batch]), encoder_hidden_states [batch, seq, hidden]
 * -> out_sample [batch, 4, h, w]. The timestep enters as a sinusoidal embedding and the prompt as its mean
 * embedding, both added to the first convolution's features, so the output depends on every input.
 */
export function tinyUnet(spec: TinyModelSpec, weights: WeightSource): Uint8Array {
  const { textHiddenSize: hidden, unetChannels: features, latentChannels } = tinyDimensions;
  const g = new OnnxGraph("unet");
  const float = (name: string) => (spec.precision === "float16" ? g.cast(name, "float32") : name);
  const sample = float(g.input("sample", spec.precision, ["batch_size", spec.unetInputChannels, "height", "width"]));
  const timestepInput =
    spec.timestep === "float-scalar"
      ? g.input("timestep", spec.precision, [])
      : g.input("timestep", "int64", ["batch_size"]);
  const timestep = spec.timestep === "float-scalar" ? float(timestepInput) : g.cast(timestepInput, "float32");
  const text = float(g.input("encoder_hidden_states", spec.precision, ["batch_size", "sequence_length", hidden]));
  const w = (values: Float32Array, dims: number[]) => g.weight(values, dims, spec.precision);
  const perChannel = g.ints([-1, features, 1, 1]);

  // Sinusoidal timestep embedding (frequencies 1 .. 1/1000 per train step), then a dense layer.
  const half = features / 2;
  const frequencies = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(1000) * i) / half));
  const angles = g.node("Mul", [g.node("Reshape", [timestep, g.ints([-1, 1])]), g.floats(frequencies, [1, half])]);
  const sinusoid = g.node("Concat", [g.node("Sin", [angles]), g.node("Cos", [angles])], { axis: 1 });
  const timeWeights = w(weights(features * features, 1 / Math.sqrt(features)), [features, features]);
  const timeEmbedding = g.node("Reshape", [g.node("MatMul", [sinusoid, timeWeights]), perChannel]);

  const meanText = g.node("ReduceMean", [text], { axes: [1], keepdims: 0 });
  const textWeights = w(weights(hidden * features, 1 / Math.sqrt(hidden)), [hidden, features]);
  const textEmbedding = g.node("Reshape", [g.node("MatMul", [meanText, textWeights]), perChannel]);

  const conv = (input: string, inChannels: number, outChannels: number) => {
    const kernel = w(weights(outChannels * inChannels * 9, 1 / Math.sqrt(inChannels * 9)), [
      outChannels,
      inChannels,
      3,
      3,
    ]);
    const bias = w(weights(outChannels, 0.05), [outChannels]);
    return g.node("Conv", [input, kernel, bias], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  };
  const first = conv(sample, spec.unetInputChannels, features);
  const conditioned = g.node("Tanh", [g.node("Add", [g.node("Add", [first, timeEmbedding]), textEmbedding])]);
  const second = g.node("Tanh", [conv(conditioned, features, features)]);
  const eps = conv(second, features, latentChannels);

  g.node("Identity", [spec.precision === "float16" ? g.cast(eps, "float16") : eps], {}, "out_sample");
  g.output("out_sample", spec.precision, ["batch_size", latentChannels, "height", "width"]);
  return g.build();
}
