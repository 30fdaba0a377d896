import { describe, expect, it } from "vitest";
import { ddimInversionStep } from "./ddim-inversion.js";
import { etaStep, stepCoefficients } from "./eta-step.js";
import { abarAt } from "./schedule.js";

describe("ddimInversionStep", () => {
  it("from the clean level is x_t = a_t x0 + c_t e", () => {
    const out = new Float32Array(2);
    ddimInversionStep(out, Float32Array.of(0.4, -1), Float32Array.of(0.2, 0.9), -1, 4);
    const [a, c] = [Math.sqrt(abarAt(4)), Math.sqrt(1 - abarAt(4))];
    expect(out[0]).toBeCloseTo(a * 0.4 + c * 0.2, 6);
    expect(out[1]).toBeCloseTo(a * -1 + c * 0.9, 6);
  });

  it.each([
    [-1, 4],
    [4, 9],
    [594, 599],
    [300, 600],
  ])("is undone by the DDIM step from %s up to %s and back when e is the same", (s, t) => {
    const x = Float32Array.of(0.7, -0.3, 1.9, -2.2);
    const e = Float32Array.of(0.1, -1.2, 0.6, 0.05);
    const up = new Float32Array(4);
    ddimInversionStep(up, x, e, s, t);
    const down = new Float32Array(4);
    etaStep(down, up, e, stepCoefficients(t, s, 0));
    for (let i = 0; i < 4; i++) expect(down[i]).toBeCloseTo(x[i]!, 5);
  });
});
