/** @module paper-summary: the tables of a paper run as Markdown (numbers only; the reading is the docs' job). */
import type { PaperConfig } from "./paper-config.js";
import type { PaperResult } from "./paper-figures.js";
import type { SeedSummary } from "./seed-statistics.js";
import type { TaskEditResult } from "./task-experiment.js";

const fixed = (value: number, digits = 4) => value.toFixed(digits);
const withInterval = (s: SeedSummary, digits = 4) => `${fixed(s.mean, digits)} ± ${fixed(s.ci95, digits)}`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ]
    .join("\n")
    .concat("\n");
}

export function paperSummaryMarkdown(result: PaperResult, config: PaperConfig): string {
  const parts: string[] = [];
  if (result.klGaussian && config.klGaussian) {
    parts.push(
      `## Experiment 1a: Gaussian KL(t) (${config.klGaussian.samples} samples per chain)\n`,
      table(
        ["grid", "KL at t0", "ODE end: closed form / sampler", "SDE end: closed form / sampler", "SDE end, KL to data"],
        config.klGaussian.strides.map((stride) => {
          const [ode, sde] = (["ode", "sde"] as const).map(
            (s) => result.klGaussian!.runs.find((r) => r.stride === stride && r.sampler === s)!,
          );
          const end = (run: typeof ode) =>
            `${fixed(run!.curve.closedForm.at(-1)!, 6)} / ${fixed(run!.curve.measured.at(-1)!, 6)} (±${fixed(run!.curve.tolerance.at(-1)!, 6)})`;
          return [
            `${ode!.steps} steps (stride ${stride})`,
            fixed(result.klGaussian!.startKl, 6),
            end(ode),
            end(sde),
            fixed(sde!.klToDataEnd.closedForm, 6),
          ];
        }),
      ),
    );
  }
  if (result.klMixture && config.klMixture) {
    const mixture = result.klMixture;
    parts.push(
      `## Experiment 1b: mixture toy (${config.klMixture.samples} samples per chain, ${config.klMixture.bins} bins, floor ≈ ${mixture.klFloor.toExponential(1)})\n`,
      table(
        [
          "start level",
          "steps",
          "sampler",
          "binned KL at t0",
          "at 0",
          "mode-weight bound",
          "weight of mode 1: t0 → 0",
          "true chain",
        ],
        mixture.runs.map((run) => [
          String(run.startLevel),
          String(run.steps),
          run.sampler.toUpperCase(),
          fixed(run.klBinned[0]!),
          fixed(run.klBinned.at(-1)!),
          fixed(run.klModeBound[0]!),
          `${fixed(run.edited.modeWeights[0]![0]!, 3)} → ${fixed(run.edited.modeWeights.at(-1)![0]!, 3)}`,
          fixed(run.truth.modeWeights.at(-1)![0]!, 3),
        ]),
      ),
    );
  }
  if (result.tasks && config.tasks) {
    const { seeds, samplesPerSeed } = config.tasks;
    parts.push(
      `## Experiment 2: tasks (${samplesPerSeed} edits x ${seeds.length} seeds; mean ± 95% t-interval over seeds; verdict when the paired SDE - ODE interval excludes 0)\n`,
    );
    for (const edit of result.tasks.edits) {
      const { data, inputs } = edit.baselines;
      parts.push(
        `### ${edit.name} (${edit.task})\n`,
        `Baselines: a second data sample W1 ${withInterval(data.likelihoodW1)}, MMD² ${withInterval(data.mmd2)}, mixed ${fixed(data.incoherent.mean, 3)}, log-likelihood ${withInterval(data.logLikelihoodPerDim)}; the inputs W1 ${withInterval(inputs.likelihoodW1)}, mixed ${fixed(inputs.incoherent.mean, 3)}, log-likelihood ${withInterval(inputs.logLikelihoodPerDim)}.\n`,
        table(
          [
            "t0",
            "grid (run)",
            "W1 ODE",
            "W1 SDE",
            "W1 SDE-ODE",
            "better",
            "MMD² ODE",
            "MMD² SDE",
            "better",
            "mixed ODE / SDE",
            "better",
            "log p ODE / SDE",
            "chain var. ratio ODE / SDE",
          ],
          edit.settings.map((s) => [
            String(s.t0),
            `${s.steps} (${s.runSteps})`,
            withInterval(s.ode.likelihoodW1),
            withInterval(s.sde.likelihoodW1),
            withInterval(s.sdeMinusOde.likelihoodW1),
            s.better.likelihoodW1,
            withInterval(s.ode.mmd2),
            withInterval(s.sde.mmd2),
            s.better.mmd2,
            `${fixed(s.ode.incoherent.mean, 3)} / ${fixed(s.sde.incoherent.mean, 3)}`,
            s.better.incoherent,
            `${fixed(s.ode.logLikelihoodPerDim.mean, 3)} / ${fixed(s.sde.logLikelihoodPerDim.mean, 3)}`,
            `${fixed(s.chainVarianceRatio.ode, 3)} / ${fixed(s.chainVarianceRatio.sde, 3)}`,
          ]),
        ),
      );
      if (edit.task === "drag") parts.push(dragTransferTable(edit));
    }
  }
  return `${parts.join("\n")}`;
}

/** Where the input's source content ended (drag-transfer.ts), with what an edit that moved nothing scores. */
function dragTransferTable(edit: TaskEditResult): string {
  const { inputs } = edit.baselines;
  return [
    `Where the source content ended: mean correlation of the output's target block (and source block) with the input's source block. The input unchanged scores ${withInterval(inputs.sourceAtTarget!)} at the target and ${fixed(inputs.sourceAtSource!.mean, 3)} at the source; the source copied exactly scores 1 at the target.\n`,
    table(
      ["t0", "grid (run)", "at target ODE", "at target SDE", "SDE-ODE", "better", "at source ODE", "at source SDE"],
      edit.settings.map((s) => [
        String(s.t0),
        `${s.steps} (${s.runSteps})`,
        withInterval(s.ode.sourceAtTarget!),
        withInterval(s.sde.sourceAtTarget!),
        withInterval(s.sdeMinusOde.sourceAtTarget!),
        s.better.sourceAtTarget!,
        withInterval(s.ode.sourceAtSource!),
        withInterval(s.sde.sourceAtSource!),
      ]),
    ),
  ].join("\n");
}
