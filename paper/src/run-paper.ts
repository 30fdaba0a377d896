/** @module run-paper: runs the experiments a paper config names and renders their figures (no file I/O). */
import { performance } from "node:perf_hooks";
import { runGaussianKl } from "./kl-gaussian.js";
import { runMixtureKl } from "./kl-mixture.js";
import type { PaperConfig } from "./paper-config.js";
import { type PaperResult, paperFigures } from "./paper-figures.js";
import { paperSummaryMarkdown } from "./paper-summary.js";
import { runTaskExperiment } from "./task-experiment.js";

export interface PaperRun {
  /** The config as run (defaults filled in), each experiment's result, and its wall time (machine-dependent). */
  readonly result: PaperResult & { readonly config: PaperConfig; readonly wallSeconds: Record<string, number> };
  /** File name -> SVG text. */
  readonly figures: Map<string, string>;
  /** The result's tables in Markdown. */
  readonly summary: string;
}

/** Experiments run one after another in config order; `figurePrefix` starts every figure's file name. */
export async function runPaper(
  config: PaperConfig,
  figurePrefix: string,
  onProgress: (message: string) => void = () => {},
): Promise<PaperRun> {
  const wallSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    onProgress(`${name}: running`);
    const value = await run();
    wallSeconds[name] = Math.round((performance.now() - start) / 100) / 10;
    onProgress(`${name}: done in ${wallSeconds[name]} s`);
    return value;
  };
  const { klGaussian: gaussianConfig, klMixture: mixtureConfig, tasks: tasksConfig } = config;
  const klGaussian = gaussianConfig && (await timed("klGaussian", () => runGaussianKl(gaussianConfig)));
  const klMixture = mixtureConfig && (await timed("klMixture", () => runMixtureKl(mixtureConfig)));
  const tasks = tasksConfig && (await timed("tasks", () => runTaskExperiment(tasksConfig, onProgress)));
  const result = { klGaussian, klMixture, tasks };
  return {
    result: { config, ...result, wallSeconds },
    figures: paperFigures(result, config, figurePrefix),
    summary: paperSummaryMarkdown(result, config),
  };
}
