import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskOf, pngOf } from "../image/image-fixtures.js";
import { loadReferenceSdModel } from "../model/reference-sd-model.js";
import { closeSdModels, loadSdModel, type SdModel } from "../model/sd-model.js";
import { type TinyModelSpec, tinyModelSpecs } from "../model/tiny/tiny-model-spec.js";
import { ensureTinyModels } from "../model/tiny/write-tiny-model.js";
import type { EditSettings } from "./edit-job.js";
import { runEdit } from "./run-edit.js";

// Same seed, same bytes: the fast model I/O (inference worker, shared buffers reused between calls, constant
// feeds, the fast half-precision conversion) must give every edit the bytes of the plain implementation it replaced
// (reference-sd-model.ts: the model I/O of commit 1f29564, on the same ONNX Runtime in this process). The samplers'
// own bytes are pinned in src/tasks/golden-outputs.test.ts.

/** The generated variants, and an fp16 inpainting UNet (9 channels in half precision) that only this test needs. */
const inpaintFp16: TinyModelSpec = {
  ...tinyModelSpecs.find((spec) => spec.unetInputChannels === 9)!,
  name: "inpaint-fp16",
  precision: "float16",
  seed: 6,
};
const specs = [...tinyModelSpecs, inpaintFp16];

const [width, height] = [72, 64];
const base = { prompt: "a photo of a cat", steps: 12, guidance: 3, output_format: "png" as const };
const editCase = (name: string, settings: EditSettings, mask = false) => ({ name, settings, mask });
const editsOf = (spec: TinyModelSpec) =>
  spec.unetInputChannels === 4
    ? [
        ...(["sde", "ode"] as const).flatMap((sampler) => [
          // Two operations (the drag spans more than two latent cells), then one with an editable region.
          editCase(`drag ${sampler}`, {
            ...base,
            task: "drag",
            sampler,
            t0: 0.6,
            points: [{ from: [20, 30], to: [44, 26] }],
          }),
          editCase(
            `drag ${sampler} with a mask`,
            { ...base, task: "drag", sampler, t0: 0.6, points: [{ from: [20, 30], to: [28, 26] }] },
            true,
          ),
        ]),
        editCase("inpaint sde", { ...base, task: "inpaint", sampler: "sde", t0: 0.9 }, true),
        editCase("inpaint ode, guidance 1", { ...base, task: "inpaint", sampler: "ode", t0: 1, guidance: 1 }, true),
        editCase("img2img sde", { ...base, task: "img2img", sampler: "sde", strength: 0.5 }),
      ]
    : [
        editCase("inpaint sde", { ...base, task: "inpaint", sampler: "sde", t0: 0.9 }, true),
        editCase("inpaint ode, guidance 1", { ...base, task: "inpaint", sampler: "ode", t0: 1, guidance: 1 }, true),
      ];

let root: string;
let image: Uint8Array;
let mask: Uint8Array;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stochedit-reference-"));
  await ensureTinyModels(root, specs);
  image = await pngOf(width, height, (x, y) => [(x * 7 + y * 3) % 256, (x * 5 + y * 11) % 256, (x * y) % 256]);
  mask = await maskOf(width, height, (x) => x >= 16 && x < 40);
}, 120_000);
afterAll(async () => {
  await closeSdModels();
  await rm(root, { recursive: true, force: true });
});

/** The edit's output, and the latent and image its VAE decode saw and gave, as bytes. */
async function edit(model: SdModel, settings: EditSettings, withMask: boolean) {
  const decoded: Float32Array[] = [];
  const spied: SdModel = {
    ...model,
    vae: {
      encode: (tensor) => model.vae.encode(tensor),
      decode: async (latent) => {
        const result = await model.vae.decode(latent);
        decoded.push(Float32Array.from(latent.data), Float32Array.from(result.data));
        return result;
      },
    },
  };
  const result = await runEdit(spied, { settings, image, ...(withMask && { mask }), seed: 7 });
  const bytes = (values: Float32Array) => Buffer.from(values.buffer);
  return { latent: bytes(decoded[0]!), image: bytes(decoded[1]!), output: Buffer.from(result.output) };
}

describe.each(specs)("$name", (spec) => {
  let model: SdModel;
  let reference: SdModel;
  beforeAll(async () => {
    model = await loadSdModel(join(root, spec.name), { executionProvider: "cpu" });
    reference = await loadReferenceSdModel(join(root, spec.name));
  }, 60_000);
  afterAll(async () => {
    await reference.close();
  });

  it.each(editsOf(spec))(
    "$name gives the reference implementation's bytes",
    async ({ settings, mask: withMask }) => {
      const fast = await edit(model, settings, withMask);
      const plain = await edit(reference, settings, withMask);
      expect(fast.latent.equals(plain.latent)).toBe(true);
      expect(fast.image.equals(plain.image)).toBe(true);
      expect(fast.output.equals(plain.output)).toBe(true);
    },
    60_000,
  );
});
