import { describe, expect, it } from "vitest";
import reference from "../../../reference/sde-ode-vectors.json" with { type: "json" };
import { abarAt, cleanLevel, trainSteps } from "./schedule.js";

describe("the scaled_linear schedule", () => {
  it("matches the reference kind and length", () => {
    expect(reference.schedule.kind).toBe("scaled_linear");
    expect(trainSteps).toBe(reference.schedule.train_steps);
  });

  for (const [level, abar] of Object.entries(reference.schedule.alphas_cumprod)) {
    it(`gives the reference ᾱ at level ${level}`, () => {
      expect(abarAt(Number(level))).toBeCloseTo(abar, 14);
    });
  }

  it("treats level -1 as clean (ᾱ = 1)", () => {
    expect(abarAt(cleanLevel)).toBe(1);
  });

  it("decreases strictly over the train levels", () => {
    for (let t = 0; t < trainSteps; t++) expect(abarAt(t)).toBeLessThan(abarAt(t - 1));
  });

  it.each([1000, -2, 3.5, Number.NaN])("rejects level %s", (level) => {
    expect(() => abarAt(level)).toThrow(/is not a train level/);
  });
});
