/** @module presets: the speed presets: each task's step grid (and start level t0) under fast, standard and best. */
import { z } from "zod";

export const Preset = z.enum(["fast", "standard", "best"]).meta({
  id: "Preset",
  description:
    "Speed preset (default standard): picks the step grid, and t0 for drag and inpaint; an explicit steps or t0 " +
    "wins over it",
});
export type Preset = z.infer<typeof Preset>;

export const defaultPreset: Preset = "standard";

/**
 * steps: the grid over [0, T] (a run from t0 takes round(steps x t0) of it, stepsFromT0); t0: the start level. t0 is
 * each task's default in every preset: it sets how much of the input an edit keeps, not only its cost. img2img has no
 * t0 here: its strength is the caller's. standard is the API's original defaults. The others come from the sweep on the
 * exact models (docs/experiments/presets.summary.md; the rule and the figures: docs/paper-reproduction.md, "Speed
 * presets"): fast is the smallest grid where the SDE still beats the ODE (W1, with MMD² not against it; no lower than
 * 20, where inpainting's SDE starts winning), best the grid where the SDE's distance to the data stops falling. Drag's
 * best is its standard grid: nothing measured improves beyond it.
 */
export const presetTable = {
  drag: {
    fast: { steps: 20, t0: 0.6 },
    standard: { steps: 200, t0: 0.6 },
    best: { steps: 200, t0: 0.6 },
  },
  inpaint: {
    fast: { steps: 20, t0: 1 },
    standard: { steps: 50, t0: 1 },
    best: { steps: 200, t0: 1 },
  },
  img2img: {
    fast: { steps: 25 },
    standard: { steps: 50 },
    best: { steps: 200 },
  },
} as const satisfies Record<"drag" | "inpaint" | "img2img", Record<Preset, { steps: number; t0?: number }>>;
