/** @module vae-codec: image <-> scaled latent through the VAE encoder and decoder sessions. */
import { type Latents, latents } from "../diffusion/latents.js";
import type { ImageTensor } from "../image/image-tensor.js";
import { JobFailure } from "../job-failure.js";
import type { InferenceClient, LoadedSession } from "./inference-client.js";
import { findTensor, floatTensor, floatValues } from "./tensor-io.js";

const latentChannels = 4;
const vaeFactor = 8;

export interface VaeCodec {
  /** Image (sides multiples of 8) -> latent [1, 4, H/8, W/8] times the scale factor. */
  encode(image: ImageTensor): Promise<Latents>;
  /** Scaled latent [1, 4, h, w] -> image 8h x 8w, clamped to [-1, 1]. */
  decode(latent: Latents): Promise<ImageTensor>;
}

/**
 * Current optimum exports return `latent_parameters` (mean and log-variance, 8 channels): the mean is used, as
 * diffusers' editing pipelines do. Older exports return a 4-channel `latent_sample`, used as given.
 */
export function createVaeCodec(
  client: InferenceClient,
  encoder: LoadedSession,
  decoder: LoadedSession,
  scaleFactor: number,
): VaeCodec {
  const encoderInput = findTensor(encoder.signature, "inputs", ["sample"], "vae_encoder");
  const encoderOutput = findTensor(encoder.signature, "outputs", ["latent_parameters", "latent_sample"], "vae_encoder");
  const decoderInput = findTensor(decoder.signature, "inputs", ["latent_sample"], "vae_decoder");
  const decoderOutput = findTensor(decoder.signature, "outputs", ["sample"], "vae_decoder");

  return {
    async encode(image) {
      if (image.width % vaeFactor !== 0 || image.height % vaeFactor !== 0) {
        throw new RangeError(`the VAE needs sides that are multiples of 8, got ${image.width}x${image.height}`);
      }
      const outputs = await client.run(encoder.name, {
        [encoderInput.name]: floatTensor(image.data, [1, 3, image.height, image.width], encoderInput),
      });
      const payload = outputs[encoderOutput.name];
      const values = floatValues(payload, encoderOutput.name);
      const [, channels, height, width] = payload?.dims ?? [];
      if (channels !== latentChannels && channels !== 2 * latentChannels) {
        throw new JobFailure(
          "model_error",
          `vae_encoder returned ${channels} channels; 4 or 8 (mean, logvar) expected`,
        );
      }
      const h = height ?? 0;
      const w = width ?? 0;
      // The mean is the first 4 channels of [mean, logvar]; NCHW keeps them contiguous.
      const mean = values.slice(0, latentChannels * h * w);
      for (let i = 0; i < mean.length; i++) mean[i]! *= scaleFactor;
      return latents([1, latentChannels, h, w], mean);
    },

    async decode(latent) {
      const [, , h, w] = latent.shape;
      const unscaled = latent.data.map((v) => v / scaleFactor);
      const outputs = await client.run(decoder.name, {
        [decoderInput.name]: floatTensor(unscaled, [1, latentChannels, h, w], decoderInput),
      });
      // A fresh array (converted from half bits, or the worker's own output): clamped in place.
      const image = floatValues(outputs[decoderOutput.name], decoderOutput.name);
      for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(-1, image[i]!));
      return { data: image, width: w * vaeFactor, height: h * vaeFactor };
    },
  };
}
