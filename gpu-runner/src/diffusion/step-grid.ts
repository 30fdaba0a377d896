/** @module step-grid: the descending levels a run visits, from its start level t0 down to the clean level -1. */
import { stepsFromT0 } from "@stochedit/shared";
import { cleanLevel, trainSteps } from "./schedule.js";

/** levels[0] is the start level, each step goes from levels[k] to levels[k + 1], and the last level is -1. */
export interface StepGrid {
  readonly levels: readonly number[];
}

/** Number of model steps of a grid (one per level above the clean one). */
export function stepCount(grid: StepGrid): number {
  return grid.levels.length - 1;
}

/**
 * The run from fraction t0 on a grid of `steps` levels over [0, T]: the lowest stepsFromT0(steps, t0) of the levels
 * round(T - i T/steps) - 1 (i = 0..steps-1), then -1. This is diffusers' "trailing" spacing: t0 = 1 starts at 999,
 * the top train level, so a full run starts from (almost) pure noise; the 200-step drag grid from t0 = 0.6 runs
 * 599, 594, ..., 4, -1 (120 steps).
 */
export function stepGrid(steps: number, t0: number): StepGrid {
  const n = stepsFromT0(steps, t0);
  const stride = trainSteps / steps;
  const levels: number[] = [];
  for (let i = steps - n; i < steps; i++) levels.push(Math.round(trainSteps - i * stride) - 1);
  levels.push(cleanLevel);
  return { levels };
}

/** A grid from explicit levels (e.g. the reference chains 600, 580, ..., 0): strictly descending, -1 appended. */
export function gridFromLevels(levels: readonly number[]): StepGrid {
  const all = [...levels, cleanLevel];
  for (let k = 0; k + 1 < all.length; k++) {
    const [t, s] = [all[k]!, all[k + 1]!];
    if (!Number.isInteger(t) || t < 0 || t >= trainSteps || !(s < t)) {
      throw new RangeError(`levels must descend strictly within 0..${trainSteps - 1}; got ${levels.join(", ")}`);
    }
  }
  return { levels: all };
}
