/** @module task-experiment: experiment 2, SDE vs ODE for img2img, inpainting and drag on a known pattern mixture. */

import { GaussianMixtureNoisePredictor, GaussianRng, samplerEta, stepGrid } from "@stochedit/gpu-runner/sampling";
import type { Sampler } from "@stochedit/shared";
import { stepsFromT0 } from "@stochedit/shared";
import { dragRegions, dragTransfer } from "./drag-transfer.js";
import { chainVarianceRatio } from "./gaussian-closed-form.js";
import { medianDistance, mmdSquared } from "./mmd.js";
import type { TaskEditConfig, TaskExperimentConfig } from "./paper-config.js";
import { patternMixture } from "./pattern-mixture.js";
import { runTaskOnce } from "./run-task-once.js";
import { incoherentFraction, likelihoodW1, logLikelihoodPerDim, modeWeightTv, rmsDistance } from "./sample-metrics.js";
import { type SeedSummary, summarizeSeeds } from "./seed-statistics.js";
import { drawData, drawTaskInput, rectMask } from "./task-inputs.js";
import { deriveSeed, UniformRng } from "./uniform-rng.js";

/**
 * Per seed, against that seed's data sample: MMD², the Wasserstein-1 distance of the log-likelihood profiles, the
 * fraction of outputs that mix two patterns, the mean exact log-likelihood, the mode-weight TV, and the RMS distance
 * to the input; for drag edits also where the input's source content ended (drag-transfer.ts).
 */
interface SeedMetrics {
  mmd2: number;
  likelihoodW1: number;
  /** incoherentFraction over the fill rectangle (inpaint) or the left half (the others). */
  incoherent: number;
  logLikelihoodPerDim: number;
  modeWeightTv: number;
  rmsToInput: number;
  /** Drag only: mean correlation of the output's target block with the input's source block (1: moved intact). */
  sourceAtTarget?: number;
  /** Drag only: the same at the output's source block (1: the content stayed where it was). */
  sourceAtSource?: number;
}

export type MetricSummaries = { readonly [M in keyof SeedMetrics]: SeedSummary };

/** Which sampler is better on a metric: the paired SDE - ODE difference's 95% interval excludes 0, or "tie". */
export type Verdict = Sampler | "tie";

export interface TaskSettingResult {
  readonly t0: number;
  readonly steps: number;
  /** Model steps of one run from t0 (per drag operation): stepsFromT0(steps, t0). */
  readonly runSteps: number;
  /**
   * chainVarianceRatio of this grid for one pattern component, N(μ_k, s² I): how much the DDIM / DDPM chain alone
   * shrinks the within-pattern variance of an unedited start (closed form). Cycle-SDE (SDE-Drag) replays recorded
   * noise instead, so this does not describe it.
   */
  readonly chainVarianceRatio: { readonly ode: number; readonly sde: number };
  readonly ode: MetricSummaries;
  readonly sde: MetricSummaries;
  /** Per seed SDE - ODE on the same inputs and job seeds. */
  readonly sdeMinusOde: MetricSummaries;
  /** Lower is better for the first three; higher for sourceAtTarget (drag only). */
  readonly better: {
    readonly mmd2: Verdict;
    readonly likelihoodW1: Verdict;
    readonly incoherent: Verdict;
    readonly sourceAtTarget?: Verdict;
  };
}

export interface TaskEditResult {
  readonly name: string;
  readonly task: TaskEditConfig["task"];
  readonly baselines: {
    /** A second data sample: the MMD² noise floor and the data's own log-likelihood. */
    readonly data: MetricSummaries;
    /** The unedited inputs (for drag: an edit that moved nothing). */
    readonly inputs: MetricSummaries;
  };
  readonly settings: TaskSettingResult[];
  /** The first few inputs and outputs of the first seed at one setting, for the figures. */
  readonly examples: {
    readonly t0: number;
    readonly steps: number;
    readonly inputs: number[][];
    readonly ode: number[][];
    readonly sde: number[][];
  };
}

export interface TaskExperimentResult {
  readonly dimension: number;
  /** The MMD kernel: RBF bandwidths (scales x the median distance between data samples), averaged. */
  readonly kernel: { readonly medianDistance: number; readonly bandwidths: number[] };
  readonly edits: TaskEditResult[];
}

const exampleCount = 6;

export async function runTaskExperiment(
  config: TaskExperimentConfig,
  onProgress: (message: string) => void = () => {},
): Promise<TaskExperimentResult> {
  const mixture = patternMixture(config.data);
  const predictor = new GaussianMixtureNoisePredictor(mixture);
  const n = config.samplesPerSeed;
  const drawSet = (seed: number) => {
    const [uniform, rng] = [new UniformRng(seed), new GaussianRng(seed)];
    return Array.from({ length: n }, () => drawData(mixture, uniform, rng));
  };
  const median = medianDistance(drawSet(deriveSeed(config.seeds[0]!, 3)));
  const bandwidths = config.mmdBandwidthScales.map((scale) => scale * median);
  const references = config.seeds.map((seed) => drawSet(deriveSeed(seed, 1)));
  const { height, width } = config.data;
  const leftHalf = rectMask({ x: 0, y: 0, width: width >> 1, height }, config.data);
  const metricsOf = (
    edit: TaskEditConfig,
    xs: readonly Float32Array[],
    reference: readonly Float32Array[],
    inputs: readonly Float32Array[],
    region: Float32Array,
  ): SeedMetrics => ({
    mmd2: mmdSquared(xs, reference, bandwidths),
    likelihoodW1: likelihoodW1(mixture, xs, reference),
    incoherent: incoherentFraction(mixture, xs, region),
    logLikelihoodPerDim: logLikelihoodPerDim(mixture, xs),
    modeWeightTv: modeWeightTv(mixture, xs),
    rmsToInput: rmsDistance(xs, inputs),
    ...(edit.task === "drag" && dragTransfer(xs, inputs, dragRegions(edit.points, width, height), width * height)),
  });

  const edits: TaskEditResult[] = [];
  for (const [e, edit] of config.edits.entries()) {
    const settings = edit.t0.flatMap((t0) => edit.steps.map((steps) => ({ t0, steps })));
    const perSeed = settings.map(() => ({ ode: [] as SeedMetrics[], sde: [] as SeedMetrics[] }));
    const region = edit.task === "inpaint" ? rectMask(edit.fill, config.data) : leftHalf;
    const baselines = { data: [] as SeedMetrics[], inputs: [] as SeedMetrics[] };
    const example = edit.example ?? { t0: edit.t0[edit.t0.length >> 1]!, steps: Math.max(...edit.steps) };
    const examples = { ...example, inputs: [] as number[][], ode: [] as number[][], sde: [] as number[][] };
    for (const [s, seed] of config.seeds.entries()) {
      const [uniform, rng] = [new UniformRng(deriveSeed(seed, 10 + e)), new GaussianRng(deriveSeed(seed, 10 + e))];
      const inputs = Array.from({ length: n }, () => drawTaskInput(edit, mixture, config.data, uniform, rng));
      const reference = references[s]!;
      const fresh = drawSet(deriveSeed(seed, 2));
      baselines.data.push(metricsOf(edit, fresh, reference, fresh, region));
      baselines.inputs.push(metricsOf(edit, inputs, reference, inputs, region));
      if (s === 0) examples.inputs = exampleValues(inputs);
      for (const [i, setting] of settings.entries()) {
        for (const sampler of ["ode", "sde"] as const) {
          const outputs: Float32Array[] = [];
          for (const [k, input] of inputs.entries()) {
            // The same job seed for both samplers and every setting: paired comparisons on common random numbers.
            const runtime = { predictor, seed: deriveSeed(seed, 10 + e, k) };
            outputs.push(
              await runTaskOnce(edit, Float32Array.from(input), config.data, { ...setting, sampler }, runtime),
            );
          }
          perSeed[i]![sampler].push(metricsOf(edit, outputs, reference, inputs, region));
          if (s === 0 && setting.t0 === example.t0 && setting.steps === example.steps) {
            examples[sampler] = exampleValues(outputs);
          }
        }
      }
      onProgress(`tasks: ${edit.name}, seed ${seed} done (${s + 1}/${config.seeds.length})`);
    }
    edits.push({
      name: edit.name,
      task: edit.task,
      baselines: { data: summarizeMetrics(baselines.data), inputs: summarizeMetrics(baselines.inputs) },
      settings: settings.map((setting, i) => settingResult(setting, perSeed[i]!, config.data.std)),
      examples,
    });
  }
  return { dimension: mixture.dimension, kernel: { medianDistance: median, bandwidths }, edits };
}

/** The first few latents, to 4 decimals (they only feed the examples figure). */
function exampleValues(xs: readonly Float32Array[]): number[][] {
  return xs.slice(0, exampleCount).map((x) => Array.from(x, (v) => Math.round(v * 1e4) / 1e4));
}

function summarizeMetrics(perSeed: readonly SeedMetrics[]): MetricSummaries {
  const of = (key: keyof SeedMetrics) => summarizeSeeds(perSeed.map((m) => m[key]!));
  return {
    mmd2: of("mmd2"),
    likelihoodW1: of("likelihoodW1"),
    incoherent: of("incoherent"),
    logLikelihoodPerDim: of("logLikelihoodPerDim"),
    modeWeightTv: of("modeWeightTv"),
    rmsToInput: of("rmsToInput"),
    ...(perSeed[0]!.sourceAtTarget !== undefined && {
      sourceAtTarget: of("sourceAtTarget"),
      sourceAtSource: of("sourceAtSource"),
    }),
  };
}

function settingResult(
  setting: { t0: number; steps: number },
  perSeed: { ode: SeedMetrics[]; sde: SeedMetrics[] },
  std: number,
): TaskSettingResult {
  const levels = stepGrid(setting.steps, setting.t0).levels;
  const componentLaw = { mean: 0, std };
  const sdeMinusOde = summarizeMetrics(perSeed.sde.map((m, s) => differenceOf(m, perSeed.ode[s]!)));
  return {
    ...setting,
    runSteps: stepsFromT0(setting.steps, setting.t0),
    chainVarianceRatio: {
      ode: chainVarianceRatio(levels, samplerEta.ode, componentLaw),
      sde: chainVarianceRatio(levels, samplerEta.sde, componentLaw),
    },
    ode: summarizeMetrics(perSeed.ode),
    sde: summarizeMetrics(perSeed.sde),
    sdeMinusOde,
    better: {
      mmd2: verdict(sdeMinusOde.mmd2, "lower"),
      likelihoodW1: verdict(sdeMinusOde.likelihoodW1, "lower"),
      incoherent: verdict(sdeMinusOde.incoherent, "lower"),
      ...(sdeMinusOde.sourceAtTarget && { sourceAtTarget: verdict(sdeMinusOde.sourceAtTarget, "higher") }),
    },
  };
}

function differenceOf(sde: SeedMetrics, ode: SeedMetrics): SeedMetrics {
  return {
    mmd2: sde.mmd2 - ode.mmd2,
    likelihoodW1: sde.likelihoodW1 - ode.likelihoodW1,
    incoherent: sde.incoherent - ode.incoherent,
    logLikelihoodPerDim: sde.logLikelihoodPerDim - ode.logLikelihoodPerDim,
    modeWeightTv: sde.modeWeightTv - ode.modeWeightTv,
    rmsToInput: sde.rmsToInput - ode.rmsToInput,
    ...(sde.sourceAtTarget !== undefined && {
      sourceAtTarget: sde.sourceAtTarget - ode.sourceAtTarget!,
      sourceAtSource: sde.sourceAtSource! - ode.sourceAtSource!,
    }),
  };
}

/** The sampler whose paired difference's 95% interval excludes 0 on the better side, else a tie. */
function verdict(sdeMinusOde: SeedSummary, better: "lower" | "higher"): Verdict {
  if (Math.abs(sdeMinusOde.mean) <= sdeMinusOde.ci95) return "tie";
  return sdeMinusOde.mean < 0 === (better === "lower") ? "sde" : "ode";
}
