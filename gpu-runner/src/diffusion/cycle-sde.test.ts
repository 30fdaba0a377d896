import { describe, expect, it } from "vitest";
import { cycleNoise, cycleSdeStep } from "./cycle-sde.js";
import { etaStep, stepCoefficients } from "./eta-step.js";
import { GaussianRng } from "./gaussian-rng.js";
import { recordCycleForward } from "./samplers.js";
import { stepGrid } from "./step-grid.js";

/** A nonlinear stand-in for ε_θ(x, t). */
function epsilon(x: Float32Array, t: number): Float32Array {
  return Float32Array.from(x, (v) => 0.5 * Math.sin(v + t / 100) + 0.1 * v);
}

const size = 4 * 6 * 5;
const x0 = new GaussianRng(1).fill(new Float32Array(size));
const grid = stepGrid(200, 0.6);

function record(seed: number): Float32Array[] {
  const recorded = grid.levels.map(() => new Float32Array(size));
  recordCycleForward(Float32Array.from(x0), grid, { rng: new GaussianRng(seed), recorded });
  return recorded;
}

describe("cycleNoise", () => {
  it("recovers the w with which Eq. 6 carries rec_t exactly to rec_s", () => {
    const recorded = record(7);
    const [t, s] = [grid.levels[10]!, grid.levels[11]!];
    const c = stepCoefficients(t, s, 1);
    const eRec = epsilon(recorded[10]!, t);
    const w = new Float32Array(size);
    cycleNoise(w, recorded[10]!, recorded[11]!, eRec, c);
    const replayed = new Float32Array(size);
    etaStep(replayed, recorded[10]!, eRec, c, w);
    for (let i = 0; i < size; i++) expect(replayed[i]).toBeCloseTo(recorded[11]![i]!, 6);
  });
});

describe("cycleSdeStep", () => {
  it("reconstructs every recorded level and finally x0 when nothing is edited (1e-6 in float32)", () => {
    const recorded = record(8);
    const x = Float32Array.from(recorded[0]!);
    const scratch = new Float32Array(size);
    let worst = 0;
    for (let k = 0; k + 1 < grid.levels.length; k++) {
      const t = grid.levels[k]!;
      const c = stepCoefficients(t, grid.levels[k + 1]!, 1);
      cycleSdeStep(x, x, epsilon(x, t), recorded[k]!, recorded[k + 1]!, epsilon(recorded[k]!, t), c, scratch);
      for (let i = 0; i < size; i++) worst = Math.max(worst, Math.abs(x[i]! - recorded[k + 1]![i]!));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(Array.from(x, (v, i) => Math.abs(v - x0[i]!)).every((d) => d <= 1e-6)).toBe(true);
  });

  it("adds the recorded residual on the step into the clean level, where σ = 0", () => {
    const recorded = record(9);
    const k = grid.levels.length - 2;
    const t = grid.levels[k]!;
    const c = stepCoefficients(t, -1, 1);
    expect(c.sigma).toBe(0);
    const edited = Float32Array.from(recorded[k]!, (v, i) => v + (i % 3) * 0.05);
    const out = new Float32Array(size);
    cycleSdeStep(
      out,
      edited,
      epsilon(edited, t),
      recorded[k]!,
      x0,
      epsilon(recorded[k]!, t),
      c,
      new Float32Array(size),
    );
    const stepEdited = new Float32Array(size);
    const stepRecorded = new Float32Array(size);
    etaStep(stepEdited, edited, epsilon(edited, t), c);
    etaStep(stepRecorded, recorded[k]!, epsilon(recorded[k]!, t), c);
    for (let i = 0; i < size; i++) {
      expect(out[i]).toBeCloseTo(stepEdited[i]! + (x0[i]! - stepRecorded[i]!), 6);
    }
  });

  it("steps an edited latent with the recovered w (Eq. 6)", () => {
    const recorded = record(10);
    const [t, s] = [grid.levels[3]!, grid.levels[4]!];
    const c = stepCoefficients(t, s, 1);
    const edited = Float32Array.from(recorded[3]!, (v, i) => (i < 20 ? 1.1 * v : v));
    const e = epsilon(edited, t);
    const eRec = epsilon(recorded[3]!, t);
    const out = new Float32Array(size);
    cycleSdeStep(out, edited, e, recorded[3]!, recorded[4]!, eRec, c, new Float32Array(size));
    const w = new Float32Array(size);
    cycleNoise(w, recorded[3]!, recorded[4]!, eRec, c);
    const expected = new Float32Array(size);
    etaStep(expected, edited, e, c, w);
    expect(out).toEqual(expected);
    expect(out).not.toEqual(recorded[4]);
  });
});
