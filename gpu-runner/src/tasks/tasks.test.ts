import { type Sampler, stepsFromT0 } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import type { Latents } from "../diffusion/latents.js";
import { PredictorSpy, WavyNoisePredictor } from "../diffusion/test-predictors.js";
import { runDrag } from "./drag.js";
import { runImg2Img } from "./img2img.js";
import { runInpaint } from "./inpaint.js";
import type { StepProgress, TaskRuntime } from "./task.js";
import { img2imgInput, inpaintInput, referenceDrag, runtimeWith } from "./test-inputs.js";

// One suite for every task and both solvers: determinism, progress and cancellation. The limits of steps, t0, guidance
// and seed are the API schemas' alone (shared/src/edit-request.test.ts); the tasks trust them.

interface TaskCase {
  name: string;
  /** Model steps the task reports in total. */
  total: (sampler: Sampler) => number;
  run: (sampler: Sampler, runtime: TaskRuntime) => Promise<Latents>;
}

// A shorter drag than the reference one keeps this suite fast: [18, 20] -> [18, 18] is one operation.
const shortDrag = { points: [{ from: [18, 20] as const, to: [18, 18] as const }], steps: 50 };

const cases: TaskCase[] = [
  {
    name: "img2img",
    total: () => stepsFromT0(50, 0.6),
    run: (sampler, runtime) => runImg2Img(img2imgInput({ sampler }), runtime),
  },
  {
    name: "inpaint",
    total: () => 50,
    run: (sampler, runtime) => runInpaint(inpaintInput({ sampler }), runtime),
  },
  {
    name: "drag",
    total: (sampler) => stepsFromT0(50, 0.6) * (sampler === "sde" ? 1 : 2),
    run: (sampler, runtime) => runDrag(referenceDrag({ sampler, ...shortDrag }), runtime),
  },
];

const bytes = (x: Latents) => Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength);

describe.each(cases.flatMap((c) => (["sde", "ode"] as const).map((sampler) => ({ ...c, sampler }))))(
  "$name ($sampler)",
  (task) => {
    const { sampler } = task;

    it("gives the same bytes for the same seed and other bytes for another seed", async () => {
      const predictor = new WavyNoisePredictor();
      const first = await task.run(sampler, runtimeWith(predictor, { seed: 5 }));
      const again = await task.run(sampler, runtimeWith(predictor, { seed: 5 }));
      const other = await task.run(sampler, runtimeWith(predictor, { seed: 6 }));
      expect(bytes(again)).toEqual(bytes(first));
      expect(bytes(other)).not.toEqual(bytes(first));
      expect(first.shape).toEqual([1, 4, 32, 32]);
      expect(first.data.every(Number.isFinite)).toBe(true);
    });

    it("reports every model step once, in order, with the total over all operations", async () => {
      const spy = new PredictorSpy(new WavyNoisePredictor());
      const progress: StepProgress[] = [];
      await task.run(sampler, runtimeWith(spy, { onStep: (p) => progress.push({ ...p }) }));
      const total = task.total(sampler);
      expect(progress).toEqual(Array.from({ length: total }, (_, i) => ({ step: i + 1, total })));
      expect(spy.calls.length).toBe(total);
    });

    it("stops between steps with the signal's reason once it fires", async () => {
      const spy = new PredictorSpy(new WavyNoisePredictor());
      const controller = new AbortController();
      const onStep = (p: StepProgress) => {
        if (p.step === 3) controller.abort();
      };
      const outcome = await task
        .run(sampler, runtimeWith(spy, { onStep, signal: controller.signal }))
        .catch((e: unknown) => e);
      expect(outcome).toBe(controller.signal.reason);
      expect(spy.calls.length).toBe(3);
    });

    it("does not start when the signal has already fired", async () => {
      const spy = new PredictorSpy(new WavyNoisePredictor());
      const signal = AbortSignal.abort();
      const outcome = await task.run(sampler, runtimeWith(spy, { signal })).catch((e: unknown) => e);
      expect(outcome).toBe(signal.reason);
      expect(spy.calls.length).toBe(0);
    });
  },
);

describe("input latents", () => {
  it.each([
    [[2, 4, 32, 32], "latent has shape [2, 4, 32, 32]; expected [1, 4, h, w]"],
    [[1, 3, 32, 32], "latent has shape [1, 3, 32, 32]; expected [1, 4, h, w]"],
  ] as const)("rejects shape %j", async (shape, message) => {
    const latent = { shape, data: new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]) };
    const failure = await runImg2Img(img2imgInput({ latent }), runtimeWith(new WavyNoisePredictor())).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: "invalid_parameters", message });
  });
});
