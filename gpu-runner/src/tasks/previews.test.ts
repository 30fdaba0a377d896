import { previewSteps, type Sampler, stepsFromT0 } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { cleanEstimate } from "../diffusion/clean-estimate.js";
import { stepCoefficients } from "../diffusion/eta-step.js";
import type { Latents } from "../diffusion/latents.js";
import type { NoiseBatch } from "../diffusion/noise-predictor.js";
import { cleanLevel } from "../diffusion/schedule.js";
import { PredictorSpy, WavyNoisePredictor } from "../diffusion/test-predictors.js";
import { runDrag } from "./drag.js";
import { copyPasteDefaults } from "./drag-copy-paste.js";
import { runImg2Img } from "./img2img.js";
import { runInpaint } from "./inpaint.js";
import type { CleanEstimate, TaskRuntime } from "./task.js";
import { img2imgInput, inpaintInput, latentSide, referenceDrag, runtimeWith, testLatent } from "./test-inputs.js";

// Previews tap the samplers without touching them: the same bytes come out, and x̂0 is handed out only at the
// previewed steps (a drag's copy-pasted start first).

interface PreviewCase {
  name: string;
  /** Denoising steps of the run (ODE-Drag's inversion not counted). */
  denoising: number;
  /** Whether preview 0 is a copy-pasted start. */
  start: boolean;
  run: (sampler: Sampler, runtime: TaskRuntime) => Promise<Latents>;
}

// [18, 24] -> [18, 18] is 3 operations of 30 steps each at steps 50, t0 0.6.
const threeOperationDrag = { points: [{ from: [18, 24] as const, to: [18, 18] as const }], steps: 50 };

const cases: PreviewCase[] = [
  {
    name: "img2img",
    denoising: stepsFromT0(50, 0.6),
    start: false,
    run: (s, r) => runImg2Img(img2imgInput({ sampler: s }), r),
  },
  { name: "inpaint", denoising: 50, start: false, run: (s, r) => runInpaint(inpaintInput({ sampler: s }), r) },
  {
    name: "drag",
    denoising: 3 * stepsFromT0(50, 0.6),
    start: true,
    run: (s, r) => runDrag(referenceDrag({ sampler: s, ...threeOperationDrag }), r),
  },
];

interface Handed {
  index: number;
  step: number;
  total: number;
  latent: Float32Array;
}

/** Collects copies of the estimates (the task reuses its buffer once the promise settles). */
function collector(count: number) {
  const handed: Handed[] = [];
  const previews = {
    count,
    onEstimate: async ({ index, step, total, latent }: CleanEstimate) => {
      handed.push({ index, step, total, latent: Float32Array.from(latent.data) });
    },
  };
  return { handed, previews };
}

const bytes = (x: Latents) => Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength);

describe.each(cases.flatMap((c) => (["sde", "ode"] as const).map((sampler) => ({ ...c, sampler }))))(
  "$name ($sampler) previews",
  (task) => {
    it("hands out x̂0 at the evenly spaced denoising steps, in order, and leaves the output as it was", async () => {
      const plain = await task.run(task.sampler, runtimeWith(new WavyNoisePredictor()));
      const { handed, previews } = collector(4);
      const previewed = await task.run(task.sampler, runtimeWith(new WavyNoisePredictor(), { previews }));

      expect(bytes(previewed)).toEqual(bytes(plain));
      const steps = [...(task.start ? [0] : []), ...previewSteps(4, task.denoising)];
      expect(handed.map(({ index, step, total }) => ({ index, step, total }))).toEqual(
        steps.map((step, index) => ({ index, step, total: task.denoising })),
      );
      for (const { latent } of handed) {
        expect(latent).toHaveLength(4 * latentSide ** 2);
        expect(latent.every(Number.isFinite)).toBe(true);
      }
    });

    it("computes and hands out nothing when no previews are asked for", async () => {
      const { handed, previews } = collector(0);
      const plain = await task.run(task.sampler, runtimeWith(new WavyNoisePredictor()));
      const none = await task.run(task.sampler, runtimeWith(new WavyNoisePredictor(), { previews }));
      expect(handed).toEqual([]);
      expect(bytes(none)).toEqual(bytes(plain));
    });

    it("waits for each estimate to be taken before the next model call", async () => {
      const spy = new PredictorSpy(new WavyNoisePredictor());
      const callsWhileTaking: number[] = [];
      const previews = {
        count: 3,
        onEstimate: async () => {
          const before = spy.calls.length;
          await new Promise((resolve) => setTimeout(resolve, 5));
          callsWhileTaking.push(spy.calls.length - before);
        },
      };
      await task.run(task.sampler, runtimeWith(spy, { previews }));
      expect(callsWhileTaking).toEqual(task.start ? [0, 0, 0, 0] : [0, 0, 0]);
    });
  },
);

describe("the estimate handed out", () => {
  it("is (x_t - √(1-ᾱ_t) e) / √ᾱ_t of the latent and noise of that step", async () => {
    const seen: { x: Float32Array; level: number; batch: NoiseBatch }[] = [];
    const wavy = new WavyNoisePredictor();
    const spy = new PredictorSpy(wavy, (batch) =>
      seen.push({ x: Float32Array.from(batch.latents.data), level: batch.timesteps[0]!, batch }),
    );
    const { handed, previews } = collector(3);
    // Guidance 1: e is the model's output itself, so it can be computed again here.
    await runImg2Img(img2imgInput({ guidance: 1 }), runtimeWith(spy, { previews }));
    expect(handed).toHaveLength(3);
    for (const { step, latent } of handed) {
      const { x, level, batch } = seen[step - 1]!;
      // The batch's arrays are the caller's, reused call after call: this call's values are the copies.
      const e = await wavy.predictNoise({ ...batch, latents: { ...batch.latents, data: x }, timesteps: [level] });
      const expected = new Float32Array(x.length);
      cleanEstimate(expected, x, e, stepCoefficients(level, cleanLevel, 0));
      expect(latent).toEqual(expected);
    }
  });

  it.each(["sde", "ode"] as const)("is the output itself at the final step of img2img (%s)", async (sampler) => {
    const { handed, previews } = collector(2);
    const output = await runImg2Img(img2imgInput({ sampler }), runtimeWith(new WavyNoisePredictor(), { previews }));
    expect(handed.at(-1)!.latent).toEqual(output.data);
  });

  it("starts a drag with its copy-paste applied to the clean input: the source block moved, the rest as it was", async () => {
    const { handed, previews } = collector(1);
    const input = testLatent();
    // One operation: [18, 20] -> [18, 18].
    await runDrag(
      referenceDrag({ points: [{ from: [18, 20], to: [18, 18] }], steps: 50, latent: input }),
      runtimeWith(new WavyNoisePredictor(), { previews }),
    );
    const start = handed[0]!;
    expect(start).toMatchObject({ index: 0, step: 0 });
    const at = (data: Float32Array, c: number, x: number, y: number) => data[(c * latentSide + y) * latentSide + x]!;
    for (let c = 0; c < 4; c++) {
      // The target block is α times the source block as it was: the point itself moved 2 cells up.
      expect(at(start.latent, c, 18, 18)).toBeCloseTo(copyPasteDefaults.targetGain * at(input.data, c, 18, 20), 6);
      // Far from both blocks nothing changed.
      expect(at(start.latent, c, 2, 2)).toBe(at(input.data, c, 2, 2));
      expect(at(start.latent, c, 30, 30)).toBe(at(input.data, c, 30, 30));
    }
  });
});
