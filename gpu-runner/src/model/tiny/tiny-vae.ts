/** @module tiny-vae: VAE-signature encoder and decoder (one 8x8 patch projection and its pseudo-inverse). */
import { OnnxGraph } from "./onnx-graph.js";
import type { WeightSource } from "./seeded-weights.js";
import { type TinyModelSpec, tinyDimensions } from "./tiny-model-spec.js";

const patch = 8;
const patchValues = 3 * patch * patch;
/** Unscaled latents of SD's VAE span about +-5; this gain gives the tiny ones a similar range. */
const latentGain = 4;

/**
 * The encoder's mean as a [4, 3*8*8] matrix over a patch (channel, row, column): mean red, green and blue and the
 * left-right brightness difference, mixed by a seeded near-identity 4x4 matrix. Mixing keeps the row space, so
 * the decoder (the pseudo-inverse) restores every image that is constant or left-right graded on each patch.
 */
function patchProjection(weights: WeightSource): Float32Array {
  const channels = tinyDimensions.latentChannels;
  const basis = new Float32Array(channels * patchValues);
  const perPixel = latentGain / (patch * patch);
  for (let channel = 0; channel < 3; channel++) {
    for (let y = 0; y < patch; y++) {
      for (let x = 0; x < patch; x++) {
        const column = channel * patch * patch + y * patch + x;
        basis[channel * patchValues + column] = perPixel;
        basis[3 * patchValues + column] = ((x < patch / 2 ? 1 : -1) * perPixel) / 3;
      }
    }
  }
  const mixing = weights(channels * channels, 0.2);
  for (let i = 0; i < channels; i++) mixing[i * channels + i]! += 1;
  const projection = new Float32Array(channels * patchValues);
  for (let i = 0; i < channels; i++) {
    for (let j = 0; j < channels; j++) {
      const m = mixing[i * channels + j]!;
      for (let k = 0; k < patchValues; k++) projection[i * patchValues + k]! += m * basis[j * patchValues + k]!;
    }
  }
  return projection;
}

/** Moore-Penrose pseudo-inverse M^T (M M^T)^-1 of a full-rank [rows, columns] matrix, as [columns, rows]. */
export function pseudoInverse(matrix: Float32Array, rows: number, columns: number): Float64Array {
  const gram = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let sum = 0;
      for (let k = 0; k < columns; k++) sum += matrix[i * columns + k]! * matrix[j * columns + k]!;
      gram[i * rows + j] = sum;
    }
  }
  const inverse = invert(gram, rows);
  const result = new Float64Array(columns * rows);
  for (let k = 0; k < columns; k++) {
    for (let j = 0; j < rows; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += matrix[i * columns + k]! * inverse[i * rows + j]!;
      result[k * rows + j] = sum;
    }
  }
  return result;
}

/** Gauss-Jordan inverse with partial pivoting of an n x n matrix. */
function invert(matrix: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(matrix);
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inverse[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    for (let c = 0; c < n; c++) {
      [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c]!, a[col * n + c]!];
      [inverse[col * n + c], inverse[pivot * n + c]] = [inverse[pivot * n + c]!, inverse[col * n + c]!];
    }
    const scale = a[col * n + col]!;
    for (let c = 0; c < n; c++) {
      a[col * n + c]! /= scale;
      inverse[col * n + c]! /= scale;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r * n + col]!;
      for (let c = 0; c < n; c++) {
        a[r * n + c]! -= factor * a[col * n + c]!;
        inverse[r * n + c]! -= factor * inverse[col * n + c]!;
      }
    }
  }
  return inverse;
}

export interface TinyVae {
  readonly encoder: Uint8Array;
  readonly decoder: Uint8Array;
}

/**
 * vae_encoder: sample [batch, 3, H, W] in [-1, 1] -> latent_parameters [batch, 8, H/8, W/8] (mean, then a small
 * logvar) or latent_sample [batch, 4, H/8, W/8]. vae_decoder: latent_sample -> sample, the pseudo-inverse of the
 * mean, so decode(encode(x)) keeps each patch's colour and horizontal gradient.
 */
export function tinyVae(spec: TinyModelSpec, weights: WeightSource): TinyVae {
  const channels = tinyDimensions.latentChannels;
  const mean = patchProjection(weights);
  const withLogVar = spec.vaeEncoderOutput === "latent_parameters";
  const outChannels = withLogVar ? 2 * channels : channels;
  const encoderKernel = new Float32Array(outChannels * patchValues);
  encoderKernel.set(mean);
  const encoderBias = new Float32Array(outChannels);
  if (withLogVar) {
    encoderKernel.set(weights(channels * patchValues, 0.001), channels * patchValues);
    encoderBias.fill(-6, channels);
  }

  const encoder = new OnnxGraph("vae_encoder");
  const float = (g: OnnxGraph, name: string) => (spec.precision === "float16" ? g.cast(name, "float32") : name);
  const image = float(encoder, encoder.input("sample", spec.precision, ["batch_size", 3, "height", "width"]));
  const latent = encoder.node(
    "Conv",
    [
      image,
      encoder.weight(encoderKernel, [outChannels, 3, patch, patch], spec.precision),
      encoder.weight(encoderBias, [outChannels], spec.precision),
    ],
    { kernel_shape: [patch, patch], strides: [patch, patch] },
  );
  const encoderOutput = spec.vaeEncoderOutput;
  encoder.node(
    "Identity",
    [spec.precision === "float16" ? encoder.cast(latent, "float16") : latent],
    {},
    encoderOutput,
  );
  encoder.output(encoderOutput, spec.precision, ["batch_size", outChannels, "latent_height", "latent_width"]);

  // ConvTranspose weights are [in (latent channel), out (colour), 8, 8]: the transposed pseudo-inverse.
  const inverse = pseudoInverse(mean, channels, patchValues);
  const decoderKernel = new Float32Array(channels * patchValues);
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < patchValues; k++) decoderKernel[c * patchValues + k] = inverse[k * channels + c]!;
  }
  const decoder = new OnnxGraph("vae_decoder");
  const latentInput = float(
    decoder,
    decoder.input("latent_sample", spec.precision, ["batch_size", channels, "latent_height", "latent_width"]),
  );
  const decoded = decoder.node(
    "ConvTranspose",
    [latentInput, decoder.weight(decoderKernel, [channels, 3, patch, patch], spec.precision)],
    { kernel_shape: [patch, patch], strides: [patch, patch] },
  );
  decoder.node("Identity", [spec.precision === "float16" ? decoder.cast(decoded, "float16") : decoded], {}, "sample");
  decoder.output("sample", spec.precision, ["batch_size", 3, "height", "width"]);
  return { encoder: encoder.build(), decoder: decoder.build() };
}
