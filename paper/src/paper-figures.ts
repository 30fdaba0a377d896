/** @module paper-figures: the SVG figures of a paper run (KL curves, mode weights, task metrics, example latents). */
import type { Sampler } from "@stochedit/shared";
import type { GaussianKlResult } from "./kl-gaussian.js";
import type { MixtureKlResult } from "./kl-mixture.js";
import { renderLatentStrip } from "./latent-strip.js";
import type { GaussianKlConfig, MixtureKlConfig, PaperConfig, TaskExperimentConfig } from "./paper-config.js";
import { patternMean } from "./pattern-mixture.js";
import type { SeedSummary } from "./seed-statistics.js";
import { type ChartPanel, type ChartSeries, renderChart } from "./svg-chart.js";
import type { MetricSummaries, TaskEditResult, TaskExperimentResult } from "./task-experiment.js";

export interface PaperResult {
  readonly klGaussian?: GaussianKlResult;
  readonly klMixture?: MixtureKlResult;
  readonly tasks?: TaskExperimentResult;
}

/** Light to dark per sampler: item i of count gets one shade, the last item the darkest. */
const shades: Record<Sampler, readonly string[]> = {
  ode: ["#fdae6b", "#f16913", "#a63603", "#5a1d02"],
  sde: ["#74c476", "#31a354", "#006d2c", "#00331a"],
};
function shade(sampler: Sampler, i: number, count: number): string {
  const palette = shades[sampler];
  return palette[Math.max(0, Math.min(palette.length - 1, palette.length - count + i))]!;
}

/** File name (without folder) -> SVG text. */
export function paperFigures(result: PaperResult, config: PaperConfig, prefix: string): Map<string, string> {
  const figures = new Map<string, string>();
  if (result.klGaussian && config.klGaussian) {
    figures.set(`${prefix}-kl-gaussian.svg`, gaussianKlFigure(result.klGaussian, config.klGaussian));
  }
  if (result.klMixture && config.klMixture) {
    figures.set(`${prefix}-kl-mixture.svg`, mixtureKlFigure(result.klMixture, config.klMixture));
  }
  if (result.tasks && config.tasks) {
    for (const edit of result.tasks.edits) {
      figures.set(`${prefix}-task-${edit.name}.svg`, taskFigure(edit, config.tasks));
      figures.set(`${prefix}-examples-${edit.name}.svg`, examplesFigure(edit, config.tasks));
    }
  }
  return figures;
}

function gaussianKlFigure(result: GaussianKlResult, config: GaussianKlConfig): string {
  const strides = config.strides;
  const panels: ChartPanel[] = strides.map((stride) => {
    const runs = result.runs.filter((r) => r.stride === stride);
    const series: ChartSeries[] = runs.flatMap((run) => {
      const color = shade(run.sampler, 0, 2);
      const name = run.sampler.toUpperCase();
      const { levels, closedForm, measured, tolerance } = run.curve;
      return [
        {
          label: `${name} closed form (ends ${closedForm.at(-1)!.toFixed(4)})`,
          color,
          dashed: run.sampler === "ode",
          markers: false,
          points: levels.map((x, i) => ({ x, y: closedForm[i]! })),
        },
        {
          label: `${name} sampler, ${config.samples} samples (ends ${measured.at(-1)!.toFixed(4)})`,
          color,
          line: false,
          points: levels.map((x, i) => ({ x, y: measured[i]!, error: tolerance[i]! })),
        },
      ];
    });
    return {
      title: `${runs[0]!.steps}-step grid (stride ${stride})`,
      xLabel: "level t (sampling runs left to right)",
      yLabel: "KL(edited ‖ true) at level t, nats",
      series,
      logY: true,
      reverseX: true,
    };
  });
  const { mean, std } = config.data;
  return renderChart(panels, {
    title: "Experiment 1a: KL along the ODE and the SDE from an edited Gaussian start",
    subtitle: `data N(${mean}, ${std}²), start level ${config.startLevel}, edit: mean +${config.edit.meanShiftSd} sd, variance x${config.edit.varianceFactor}; bars: 4σ Monte-Carlo tolerance`,
    columns: Math.min(3, panels.length),
  });
}

function mixtureKlFigure(result: MixtureKlResult, config: MixtureKlConfig): string {
  const panels: ChartPanel[] = [];
  for (const startLevel of config.startLevels) {
    const runs = result.runs.filter((r) => r.startLevel === startLevel);
    const strideIndex = (stride: number) => config.strides.indexOf(stride);
    const label = (sampler: Sampler, steps: number) => `${sampler.toUpperCase()}, ${steps} steps`;
    panels.push({
      title: `KL, edit at level ${startLevel}`,
      xLabel: "level t",
      yLabel: "binned KL(edited ‖ true), nats",
      logY: true,
      reverseX: true,
      series: runs.map((run) => ({
        label: `${label(run.sampler, run.steps)} (ends ${run.klBinned.at(-1)!.toFixed(4)})`,
        color: shade(run.sampler, strideIndex(run.stride), config.strides.length),
        dashed: run.sampler === "ode",
        points: run.levels.map((x, i) => ({ x, y: run.klBinned[i]! })),
      })),
      referenceLines: [
        { y: runs[0]!.klModeBound[0]!, label: "KL of the mode weights at t0 (SDE bound)", color: "#555" },
      ],
    });
    panels.push({
      title: `Weight of mode 1 (mean ${config.components[0]!.mean}), edit at level ${startLevel}`,
      xLabel: "level t",
      yLabel: "mean posterior weight r_1(x_t)",
      reverseX: true,
      series: [
        ...runs.map((run) => ({
          label: `${label(run.sampler, run.steps)} (ends ${run.edited.modeWeights.at(-1)![0]!.toFixed(3)})`,
          color: shade(run.sampler, strideIndex(run.stride), config.strides.length),
          dashed: run.sampler === "ode",
          points: run.levels.map((x, i) => ({ x, y: run.edited.modeWeights[i]![0]! })),
        })),
        {
          label: "true start, same chains",
          color: "#999",
          markers: false,
          points: runs[0]!.levels.map((x, i) => ({ x, y: runs[0]!.truth.modeWeights[i]![0]! })),
        },
      ],
      referenceLines: [
        { y: result.trueWeights[0]!, label: `data weight ${result.trueWeights[0]!.toFixed(2)}`, color: "#555" },
        {
          y: result.editedWeights[0]!,
          label: `edited start's weight ${result.editedWeights[0]!.toFixed(2)}`,
          color: "#c33",
        },
      ],
    });
  }
  const components = config.components.map((c) => `${c.weight} N(${c.mean}, ${c.std}²)`).join(" + ");
  return renderChart(panels, {
    title: "Experiment 1b: the toy mixture, an edit that reweights the modes",
    subtitle: `data ${components}; edited weights ${config.editedWeights.join("/")}; ${config.samples} samples per chain; ${config.bins} equal-mass bins (estimator floor ≈ ${result.klFloor.toExponential(1)})`,
    columns: 2,
  });
}

interface MetricPanel {
  readonly key: keyof MetricSummaries;
  readonly title: string;
  readonly yLabel: string;
  /** Reference lines: a second data sample's value, the unedited input's, an exact copy of the source's (1). */
  readonly references: readonly ("data" | "input" | "copy")[];
}

const metricPanels: readonly MetricPanel[] = [
  {
    key: "likelihoodW1",
    title: "Likelihood-profile distance to data (lower is better)",
    yLabel: "W1 of log p(x)/D, nats",
    references: ["data"],
  },
  { key: "mmd2", title: "MMD² to data (lower is better)", yLabel: "MMD², averaged RBF kernel", references: ["data"] },
  {
    key: "incoherent",
    title: "Outputs mixing two patterns (lower is better)",
    yLabel: "fraction of outputs",
    references: ["data"],
  },
  {
    key: "logLikelihoodPerDim",
    title: "Mean exact log-likelihood",
    yLabel: "log p_data(x) / D, nats",
    references: ["data"],
  },
  { key: "rmsToInput", title: "Distance to the input (faithfulness)", yLabel: "RMS per value", references: [] },
];

/** Drag only (drag-transfer.ts): where the content of the input's source block ended. */
const dragPanels: readonly MetricPanel[] = [
  {
    key: "sourceAtTarget",
    title: "Source content at the target (higher: it moved)",
    yLabel: "corr(output's target block, input's source block)",
    references: ["input", "copy"],
  },
  {
    key: "sourceAtSource",
    title: "Source content still at the source",
    yLabel: "corr(output's source block, input's source block)",
    references: ["input"],
  },
];

function taskFigure(edit: TaskEditResult, config: TaskExperimentConfig): string {
  const stepCounts = [...new Set(edit.settings.map((s) => s.steps))];
  const panelList = edit.task === "drag" ? [...metricPanels, ...dragPanels] : metricPanels;
  const panels: ChartPanel[] = panelList.map(({ key, title, yLabel, references }) => {
    const series: ChartSeries[] = (["ode", "sde"] as const).flatMap((sampler) =>
      stepCounts.map((steps, i) => ({
        label: `${sampler.toUpperCase()}, ${steps}-step grid`,
        color: shade(sampler, i, stepCounts.length),
        dashed: sampler === "ode",
        points: edit.settings.filter((s) => s.steps === steps).map((s) => errorPoint(s.t0, s[sampler][key]!)),
      })),
    );
    const referenceLines = references.map((reference) => {
      if (reference === "copy") return { y: 1, label: "the source copied exactly (1)", color: "#c33" };
      const { mean } = edit.baselines[reference === "data" ? "data" : "inputs"][key]!;
      const label = reference === "data" ? "a second data sample" : "the input unchanged";
      return { y: mean, label: `${label} (${mean.toFixed(4)})`, color: "#555" };
    });
    const region = edit.task === "inpaint" ? "fill vs kept cells" : "left vs right half";
    const axisLabel = key === "incoherent" ? `${yLabel} (${region})` : yLabel;
    return { title, xLabel: "t0 (strength)", yLabel: axisLabel, series, referenceLines };
  });
  return renderChart(panels, {
    title: `Experiment 2: ${edit.name} (${edit.task}), SDE vs ODE on the pattern mixture`,
    subtitle: `${config.data.height}x${config.data.width}x4 latents, ${config.samplesPerSeed} edits per seed, ${config.seeds.length} seeds; bars: 95% t-interval over seeds`,
    columns: 3,
  });
}

function errorPoint(x: number, summary: SeedSummary) {
  return { x, y: summary.mean, error: summary.ci95 };
}

function examplesFigure(edit: TaskEditResult, config: TaskExperimentConfig): string {
  const { examples } = edit;
  return renderLatentStrip(
    [
      { label: "data means", latents: config.data.patterns.map(({ pattern }) => patternMean(pattern, config.data)) },
      { label: "input", latents: examples.inputs },
      { label: "ODE", latents: examples.ode },
      { label: "SDE", latents: examples.sde },
    ],
    {
      title: `${edit.name}: first inputs and their edits (channel 0)`,
      subtitle: `t0 ${examples.t0}, ${examples.steps}-step grid, seed ${config.seeds[0]}; black -${(1.6 * config.data.amplitude).toFixed(1)}, white +${(1.6 * config.data.amplitude).toFixed(1)}`,
      height: config.data.height,
      width: config.data.width,
      range: 1.6 * config.data.amplitude,
    },
  );
}
