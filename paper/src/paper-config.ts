/** @module paper-config: the JSON config of `npm run paper` (data laws, edits, t0, step counts, sample counts, seeds). */
import { editLimits } from "@stochedit/shared";
import { z } from "zod";

const positive = z.number().positive().finite();
const seed = z.number().int().min(0).max(editLimits.seedMax);
/** A train level to start the chain from (the clean level -1 is where it ends). */
const startLevel = z.number().int().min(1).max(999);
/** Grids as in ALGORITHMS 3's reference: levels startLevel, startLevel - stride, ... down to ≥ 0, then -1. */
const strides = z.array(z.number().int().min(1).max(999)).min(1);
const checkpoints = z.number().int().min(2).max(1000).default(50);
const samples = z
  .number()
  .int()
  .min(16)
  .max(2 ** 22);

/** Experiment 1a: data N(μ, s²) per dimension; the edited start is N(a μ + shift √v, factor v) at startLevel. */
export const GaussianKlConfig = z.strictObject({
  data: z.strictObject({ mean: z.number().finite(), std: positive }),
  startLevel,
  edit: z.strictObject({
    /** Mean shift of the edited start, in standard deviations √v of the true marginal. */
    meanShiftSd: z.number().finite(),
    /** Variance of the edited start over the true marginal's variance v. */
    varianceFactor: positive,
  }),
  strides,
  samples,
  seed,
  checkpoints,
});
export type GaussianKlConfig = z.infer<typeof GaussianKlConfig>;

/** Experiment 1b: a 1-D Gaussian mixture; each edited start is the true marginal at a start level with other weights. */
export const MixtureKlConfig = z
  .strictObject({
    components: z.array(z.strictObject({ weight: positive, mean: z.number().finite(), std: positive })).min(2),
    editedWeights: z.array(positive),
    startLevels: z.array(startLevel).min(1),
    strides,
    samples,
    seed,
    checkpoints,
    /** Equal-mass bins (by the reference chain's samples) of the binned KL estimate. */
    bins: z.number().int().min(2).max(1000).default(50),
  })
  .check((ctx) => {
    if (ctx.value.editedWeights.length !== ctx.value.components.length) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value.editedWeights,
        path: ["editedWeights"],
        message: `has ${ctx.value.editedWeights.length} weights; there are ${ctx.value.components.length} components`,
      });
    }
  });
export type MixtureKlConfig = z.infer<typeof MixtureKlConfig>;

export const patternNames = ["horizontal-stripes", "vertical-stripes", "checkerboard", "diagonal", "ring"] as const;
export type PatternName = (typeof patternNames)[number];

/** Experiment 2's data: a mixture of patterns on [1, 4, height, width] latents, one component per pattern. */
export const PatternDataConfig = z.strictObject({
  height: z.number().int().min(2).max(32),
  width: z.number().int().min(2).max(32),
  patterns: z.array(z.strictObject({ pattern: z.enum(patternNames), weight: positive })).min(2),
  /** The mean latent of a component is amplitude x (pattern value ±1) x the channel's gain. */
  amplitude: positive,
  /** The same std on every value of every component. */
  std: positive,
});
export type PatternDataConfig = z.infer<typeof PatternDataConfig>;

/** A rectangle of latent cells. */
const CellRect = z.strictObject({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
});
export type CellRect = z.infer<typeof CellRect>;

const cell = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

const t0 = z.number().gt(0).max(1);
const steps = z.number().int().min(editLimits.stepsMin).max(editLimits.stepsMax);
const settingsGrid = {
  name: z.string().regex(/^[a-z0-9-]+$/, "use lowercase letters, digits and '-' (it names the figure files)"),
  t0: z.array(t0).min(1),
  steps: z.array(steps).min(1),
  /** The setting whose first outputs the examples figure shows (default: the middle t0, the most steps). */
  example: z.strictObject({ t0, steps }).optional(),
};

/** How img2img's inputs are made from data samples (each an out-of-distribution "painting" to be realised). */
export const Img2ImgInputConfig = z.discriminatedUnion("kind", [
  /** Columns < splitColumn from a sample of one component, the rest from a sample of another. */
  z.strictObject({ kind: z.literal("composite"), splitColumn: z.number().int().min(1) }),
  /** Every blockSize x blockSize block of every channel replaced by its mean (a coarse "stroke painting"). */
  z.strictObject({ kind: z.literal("coarse"), blockSize: z.number().int().min(2) }),
  /** A data sample times factor. */
  z.strictObject({ kind: z.literal("scaled"), factor: z.number().finite() }),
]);
export type Img2ImgInputConfig = z.infer<typeof Img2ImgInputConfig>;

export const TaskEditConfig = z.discriminatedUnion("task", [
  z.strictObject({ task: z.literal("img2img"), input: Img2ImgInputConfig, ...settingsGrid }),
  /** Inputs are data samples; the rectangle is filled. */
  z.strictObject({ task: z.literal("inpaint"), fill: CellRect, ...settingsGrid }),
  /** Inputs are data samples; the optional rectangle is the editable region (none: all editable). */
  z.strictObject({
    task: z.literal("drag"),
    points: z.array(z.strictObject({ from: cell, to: cell })).min(1),
    editable: CellRect.optional(),
    ...settingsGrid,
  }),
]);
export type TaskEditConfig = z.infer<typeof TaskEditConfig>;

/** Experiment 2: SDE vs ODE through runImg2Img, runInpaint and runDrag with the exact mixture predictor. */
export const TaskExperimentConfig = z
  .strictObject({
    data: PatternDataConfig,
    /** Error bars come from the spread over seeds, so at least 2. */
    seeds: z.array(seed).min(2),
    samplesPerSeed: z.number().int().min(4).max(4096),
    /** The MMD kernel averages RBF kernels whose bandwidths are these multiples of the median heuristic. */
    mmdBandwidthScales: z.array(positive).min(1).default([0.5, 1, 2]),
    edits: z.array(TaskEditConfig).min(1),
  })
  .check((ctx) => {
    const { height, width } = ctx.value.data;
    const problem = (path: (string | number)[], message: string) =>
      ctx.issues.push({ code: "custom", input: ctx.value, path, message });
    const inside = (r: CellRect) => r.x + r.width <= width && r.y + r.height <= height;
    ctx.value.edits.forEach((edit, i) => {
      if (edit.example && !(edit.t0.includes(edit.example.t0) && edit.steps.includes(edit.example.steps))) {
        problem(["edits", i, "example"], "must be one of the edit's t0 and one of its step counts");
      }
      if (edit.task === "img2img" && edit.input.kind === "composite" && edit.input.splitColumn >= width) {
        problem(["edits", i, "input", "splitColumn"], `is ${edit.input.splitColumn}; it must be below width ${width}`);
      }
      if (edit.task === "inpaint" && !inside(edit.fill)) {
        problem(["edits", i, "fill"], `does not fit in the ${width}x${height} latent`);
      }
      if (edit.task === "drag") {
        if (edit.editable !== undefined && !inside(edit.editable)) {
          problem(["edits", i, "editable"], `does not fit in the ${width}x${height} latent`);
        }
        edit.points.forEach((pair, p) => {
          for (const end of ["from", "to"] as const) {
            const [x, y] = pair[end];
            if (x >= width || y >= height) {
              problem(["edits", i, "points", p, end], `[${x}, ${y}] lies outside the ${width}x${height} latent`);
            }
          }
        });
      }
    });
    const names = ctx.value.edits.map((e) => e.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) problem(["edits"], `name "${repeated}" is used twice; names must be unique`);
  });
export type TaskExperimentConfig = z.infer<typeof TaskExperimentConfig>;

export const PaperConfig = z
  .strictObject({
    klGaussian: GaussianKlConfig.optional(),
    klMixture: MixtureKlConfig.optional(),
    tasks: TaskExperimentConfig.optional(),
  })
  .refine((c) => c.klGaussian ?? c.klMixture ?? c.tasks, "names no experiment: give klGaussian, klMixture or tasks");
export type PaperConfig = z.infer<typeof PaperConfig>;
