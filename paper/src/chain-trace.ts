/** @module chain-trace: carries a batch of samples down a grid with the tasks' own sampler loop, observing levels. */
import {
  type GaussianRng,
  GuidedNoise,
  gridFromLevels,
  type NoisePredictor,
  type StepGrid,
  sampleEta,
} from "@stochedit/gpu-runner/sampling";

/** ALGORITHMS 3's reference grids: startLevel, startLevel - stride, ... down to ≥ 0, then the clean level -1. */
export function strideGrid(startLevel: number, stride: number): StepGrid {
  const levels: number[] = [];
  for (let t = startLevel; t >= 0; t -= stride) levels.push(t);
  return gridFromLevels(levels);
}

/** `count` visited-level indices spread evenly over 0 (the start) .. steps (the clean level), both ends included. */
export function checkpointIndices(steps: number, count: number): number[] {
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(Math.round((i * steps) / (count - 1)));
  return [...picked].sort((a, b) => a - b);
}

export interface ChainTrace {
  readonly predictor: NoisePredictor;
  /** One value per sample, at grid.levels[0]: each sample is an independent point of a 1-D law. Overwritten. */
  readonly x: Float32Array;
  readonly grid: StepGrid;
  readonly eta: number;
  /** Source of the SDE's w, in step order. */
  readonly rng: GaussianRng;
  /** Indices into grid.levels to observe (0 = before the first step). */
  readonly observeAt: readonly number[];
  readonly observe: (level: number, x: Float32Array) => void;
}

/**
 * Runs `sampleEta` (stage 2 of img2img, inpaint and ODE-Drag) on x as one [1, 1, 1, n] latent at guidance 1, so the predictor sees n
 * independent one-dimensional points per call.
 */
export async function traceChain(run: ChainTrace): Promise<void> {
  const { predictor, x, grid, observeAt, observe } = run;
  const model = new GuidedNoise({
    predictor,
    conditions: { cond: await predictor.encodePrompt("") },
    itemShape: [1, 1, 1, x.length],
    branches: 1,
  });
  if (observeAt.includes(0)) observe(grid.levels[0]!, x);
  await sampleEta(model, x, grid, {
    eta: run.eta,
    guidance: () => 1,
    rng: run.rng,
    afterStep: (k) => {
      if (observeAt.includes(k + 1)) observe(grid.levels[k + 1]!, x);
    },
  });
}
