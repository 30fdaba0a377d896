import { stepsFromT0 } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { gridFromLevels, stepCount, stepGrid } from "./step-grid.js";

describe("stepGrid", () => {
  it("runs the drag default (200 steps from t0 = 0.6) as 120 steps of stride 5: 599, 594, ..., 4, -1", () => {
    const grid = stepGrid(200, 0.6);
    expect(stepCount(grid)).toBe(120);
    expect(grid.levels.slice(0, 3)).toEqual([599, 594, 589]);
    expect(grid.levels.slice(-3)).toEqual([9, 4, -1]);
  });

  it("starts a full run at the top train level 999", () => {
    const grid = stepGrid(50, 1);
    expect(stepCount(grid)).toBe(50);
    expect(grid.levels.slice(0, 2)).toEqual([999, 979]);
    expect(grid.levels.slice(-2)).toEqual([19, -1]);
  });

  it.each([
    [1, 1],
    [3, 0.1],
    [7, 0.5],
    [50, 0.6],
    [200, 0.6],
    [999, 0.37],
    [1000, 1],
  ])("takes stepsFromT0(%s, %s) strictly descending steps inside 0..999 ending at -1", (steps, t0) => {
    const grid = stepGrid(steps, t0);
    expect(stepCount(grid)).toBe(stepsFromT0(steps, t0));
    expect(grid.levels.at(-1)).toBe(-1);
    expect(grid.levels[0]).toBeLessThanOrEqual(999);
    expect(grid.levels.at(-2)).toBeGreaterThanOrEqual(0);
    for (let k = 1; k < grid.levels.length; k++) expect(grid.levels[k]).toBeLessThan(grid.levels[k - 1]!);
  });

  it("is the lower end of the full grid, so its levels do not depend on t0", () => {
    const full = stepGrid(200, 1).levels;
    expect(stepGrid(200, 0.6).levels).toEqual(full.slice(80));
  });
});

describe("gridFromLevels", () => {
  it("appends the clean level", () => {
    expect(gridFromLevels([600, 580, 0]).levels).toEqual([600, 580, 0, -1]);
  });

  it.each([[[600, 600]], [[0, 10]], [[1000]], [[-1]], [[5.5]]])("rejects %j", (levels) => {
    expect(() => gridFromLevels(levels)).toThrow(/levels must descend strictly/);
  });
});
