/** @module stochedit-mini.test: the committed trained model loads through the SD path and draws emoji, not noise. */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { latents } from "../diffusion/latents.js";
import type { EditSettings } from "../edit/edit-job.js";
import { runEdit } from "../edit/run-edit.js";
import type { ImageTensor } from "../image/image-tensor.js";
import { runImg2Img } from "../tasks/img2img.js";
import { defaultModelDir, miniModelDir } from "./default-model-dir.js";
import { closeSdModels, loadSdModel, type SdModel } from "./sd-model.js";

const sidePx = 128;
const latentSide = sidePx / 8;
const seed = 7;

/**
 * Emoji-likeness, measured on an image in [-1, 1]. Every training image is an icon on white with a margin, so a
 * model that learned the data draws a white frame around a coloured shape; a decode of pure latent noise (what
 * the sampler starts from) is coloured texture everywhere. `whiteFrame`: share of pixels within 6 px of the edge
 * whose three channels are all above 0.8 (about 230/255). `inkedCentre`: share of the central 64x64 that is not
 * near-white (some channel below 0.6, about 204/255): the shape is there and is not blank paper.
 */
function emojiStatistics(image: ImageTensor) {
  const { data, width, height } = image;
  const plane = width * height;
  const isWhite = (x: number, y: number, threshold: number) =>
    data[y * width + x]! > threshold &&
    data[plane + y * width + x]! > threshold &&
    data[2 * plane + y * width + x]! > threshold;
  let framePixels = 0;
  let whiteFramePixels = 0;
  let centrePixels = 0;
  let inkedCentrePixels = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const edgeDistance = Math.min(x, y, width - 1 - x, height - 1 - y);
      if (edgeDistance < 6) {
        framePixels++;
        if (isWhite(x, y, 0.8)) whiteFramePixels++;
      }
      if (Math.abs(x - width / 2) < 32 && Math.abs(y - height / 2) < 32) {
        centrePixels++;
        if (!isWhite(x, y, 0.6)) inkedCentrePixels++;
      }
    }
  }
  return { whiteFrame: whiteFramePixels / framePixels, inkedCentre: inkedCentrePixels / centrePixels };
}

function meanAbsoluteDifference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** How far one more VAE encode + decode moves an image: small for images like the training data. */
async function roundTripChange(model: SdModel, image: ImageTensor): Promise<number> {
  const again = await model.vae.decode(await model.vae.encode(image));
  return meanAbsoluteDifference(image.data, again.data);
}

/** Text-to-image as the card's samples are made: img2img from pure noise (t0 = 1), deterministic ODE, CFG 4. */
async function generate(model: SdModel, prompt: string): Promise<ImageTensor> {
  const start = latents([1, 4, latentSide, latentSide], new Float32Array(4 * latentSide * latentSide));
  const latent = await runImg2Img(
    { latent: start, prompt, sampler: "ode", steps: 20, t0: 1, guidance: 4 },
    { predictor: model.predictor, seed },
  );
  return model.vae.decode(latent);
}

/** A hand-drawn smiley in the data's framing (icon on white), so the drag test edits an in-distribution image. */
async function smileyPng(): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${sidePx}" height="${sidePx}">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <circle cx="64" cy="64" r="54" fill="#fcc21b"/>
    <ellipse cx="46" cy="52" rx="7" ry="10" fill="#2f2f2f"/>
    <ellipse cx="82" cy="52" rx="7" ry="10" fill="#2f2f2f"/>
    <path d="M36 78 Q64 106 92 78" stroke="#2f2f2f" stroke-width="7" fill="none" stroke-linecap="round"/>
  </svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

let model: SdModel;
beforeAll(async () => {
  model = await loadSdModel(miniModelDir, { executionProvider: "cpu" });
});
afterAll(async () => {
  await closeSdModels();
});

describe("stochedit-mini, the committed trained model", () => {
  it("is the embedded default, says it draws no photos, and loads through the SD ONNX path", async () => {
    const said: string[] = [];
    expect(await defaultModelDir({}, (line) => said.push(line))).toBe(miniModelDir);
    expect(said).toEqual([expect.stringMatching(/128x128 emoji, not photos: .*STOCHEDIT_MODEL_DIR/)]);
    expect(model.predictor.unetInputChannels).toBe(4);
    expect(model.description).toContain("timestep:float32[]");
    expect(model.description).toContain("vae_encoder -> latent_parameters");
  });

  it("draws emoji, not noise, from pure noise (t0 = 1), and different ones for different captions", async () => {
    const face = await generate(model, "grinning face, noto style");
    const car = await generate(model, "automobile, twemoji style");
    const noise = await model.vae.decode(
      latents([1, 4, latentSide, latentSide], new GaussianRng(seed).fill(new Float32Array(4 * latentSide ** 2))),
    );
    expect([face.width, face.height]).toEqual([sidePx, sidePx]);

    const noiseStatistics = emojiStatistics(noise);
    for (const image of [face, car]) {
      const statistics = emojiStatistics(image);
      // Committed model: frames 1.0 and 1.0, centres 1.0 and 0.31; the noise decode: frame 0.08.
      expect(statistics.whiteFrame).toBeGreaterThan(0.7);
      expect(statistics.whiteFrame).toBeGreaterThan(noiseStatistics.whiteFrame + 0.5);
      expect(statistics.inkedCentre).toBeGreaterThan(0.25);
      // A decoded sample sits on the VAE's image manifold: a second round trip barely moves it (0.01-0.02 against
      // 0.10 for the noise decode; an untrained UNet's output moves as much as noise does).
      expect(await roundTripChange(model, image)).toBeLessThan(0.5 * (await roundTripChange(model, noise)));
    }
    // Same seed, same noise: the caption alone makes the images differ (0.50 mean change on the [-1, 1] scale).
    expect(meanAbsoluteDifference(face.data, car.data)).toBeGreaterThan(0.1);
  });

  it.each(["sde", "ode"] as const)("drags a rendered emoji with the %s sampler and keeps its size", async (sampler) => {
    const settings: EditSettings = {
      task: "drag",
      prompt: "grinning face, noto style",
      sampler,
      steps: 20,
      t0: 0.6,
      guidance: 3,
      points: [{ from: [46, 52], to: [46, 36] }],
      output_format: "png",
    };
    const result = await runEdit(model, { settings, image: await smileyPng(), seed });
    const output = await sharp(result.output).metadata();
    expect([output.width, output.height, output.format]).toEqual([sidePx, sidePx, "png"]);
  });
});
