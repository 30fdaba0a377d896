import { describe, expect, it } from "vitest";
import { imageSizeProblem, latentPoint, pointInside, stepsFromT0, workingSize } from "./geometry.js";

describe("geometry", () => {
  it("rounds sides to the nearest multiple of 8", () => {
    expect(workingSize({ width: 1000, height: 1001 })).toEqual({ width: 1000, height: 1000 });
    expect(workingSize({ width: 1005, height: 3 })).toEqual({ width: 1008, height: 8 });
  });

  it("maps pixels to latent cells and keeps them inside the latent grid", () => {
    expect(latentPoint([500, 420], { width: 1000, height: 1000 })).toEqual([62, 52]);
    expect(latentPoint([1000, 1001], { width: 1000, height: 1001 })).toEqual([124, 124]);
  });

  it("places a point inside a grid only when 0 <= x < width and 0 <= y < height", () => {
    const size = { width: 64, height: 32 };
    for (const point of [
      [0, 0],
      [63, 31],
      [63.5, 0.5],
    ])
      expect(pointInside(point, size)).toBe(true);
    for (const point of [[64, 0], [0, 32], [-1, 0], [0, -0.5], [Number.NaN, 0], [0, Number.NaN], [5]]) {
      expect(pointInside(point, size)).toBe(false);
    }
  });

  it("takes round(steps x t0) steps, at least one", () => {
    expect(stepsFromT0(200, 0.6)).toBe(120);
    expect(stepsFromT0(50, 1)).toBe(50);
    expect(stepsFromT0(3, 0.1)).toBe(1);
  });

  it("explains sizes outside the limits", () => {
    expect(imageSizeProblem({ width: 512, height: 512 })).toBeUndefined();
    expect(imageSizeProblem({ width: 63, height: 512 })).toMatch(/at least 64/);
    expect(imageSizeProblem({ width: 4096, height: 64 })).toMatch(/at most 2048/);
    expect(imageSizeProblem({ width: 2048, height: 2048 })).toMatch(/4000000/);
  });
});
