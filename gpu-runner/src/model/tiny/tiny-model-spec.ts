/** @module tiny-model-spec: the generated model variants (the SD signatures as different exporters write them). */

export interface TinyModelSpec {
  /** Folder name under the tiny models root. */
  readonly name: string;
  /** Element type of every float input and output (and of the stored weights). */
  readonly precision: "float32" | "float16";
  /** Current optimum exports: a float scalar; older ones: int64 of shape [batch]. */
  readonly timestep: "float-scalar" | "int64-batch";
  /** Current exports: mean and logvar (8 channels); older ones: a 4-channel latent_sample. */
  readonly vaeEncoderOutput: "latent_parameters" | "latent_sample";
  readonly inputIdsType: "int64" | "int32";
  readonly unetInputChannels: 4 | 9;
  /** sd1 pads prompts with the end token, sd2 with "!" (id 0), as their tokenizer configs say. */
  readonly padding: "sd1" | "sd2";
  readonly seed: number;
}

/** Sizes shared by every variant: small enough that a 512x512 edit costs little, big enough to mix inputs. */
export const tinyDimensions = {
  contextLength: 77,
  textHiddenSize: 32,
  unetChannels: 16,
  latentChannels: 4,
  vaeScaleFactor: 0.18215,
} as const;

export const tinyModelSpecs: readonly TinyModelSpec[] = [
  {
    name: "sd15-fp32",
    precision: "float32",
    timestep: "float-scalar",
    vaeEncoderOutput: "latent_parameters",
    inputIdsType: "int64",
    unetInputChannels: 4,
    padding: "sd1",
    seed: 1,
  },
  {
    name: "sd15-fp16",
    precision: "float16",
    timestep: "float-scalar",
    vaeEncoderOutput: "latent_parameters",
    inputIdsType: "int64",
    unetInputChannels: 4,
    padding: "sd1",
    seed: 2,
  },
  {
    name: "legacy-fp32",
    precision: "float32",
    timestep: "int64-batch",
    vaeEncoderOutput: "latent_sample",
    inputIdsType: "int32",
    unetInputChannels: 4,
    padding: "sd2",
    seed: 3,
  },
  {
    name: "legacy-fp16",
    precision: "float16",
    timestep: "int64-batch",
    vaeEncoderOutput: "latent_sample",
    inputIdsType: "int32",
    unetInputChannels: 4,
    padding: "sd1",
    seed: 4,
  },
  {
    name: "inpaint-fp32",
    precision: "float32",
    timestep: "float-scalar",
    vaeEncoderOutput: "latent_parameters",
    inputIdsType: "int64",
    unetInputChannels: 9,
    padding: "sd1",
    seed: 5,
  },
];

/** The variant the CLI and the local stack use until the trained stochedit-mini model exists. */
export const defaultTinyModelName = "sd15-fp32";
