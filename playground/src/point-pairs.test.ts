import { editLimits } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { PointPairs } from "./point-pairs.js";

describe("PointPairs", () => {
  it("pairs each source with the next point, and removes a pair by its index", () => {
    const points = new PointPairs();
    expect(points.place([1, 2])).toBe("source");
    expect(points.pendingSource).toEqual([1, 2]);
    expect(points.place([3, 4])).toBe("pair");
    expect(points.place([5, 6])).toBe("source");
    expect(points.place([7, 8])).toBe("pair");
    expect(points.pendingSource).toBeUndefined();
    expect(points.pairs).toEqual([
      { from: [1, 2], to: [3, 4] },
      { from: [5, 6], to: [7, 8] },
    ]);
    points.remove(0);
    expect(points.pairs).toEqual([{ from: [5, 6], to: [7, 8] }]);
    points.place([9, 9]);
    points.clear();
    expect(points.pairs).toEqual([]);
    expect(points.pendingSource).toBeUndefined();
  });

  it("starts no pair past the API's maximum", () => {
    const points = new PointPairs();
    for (let i = 0; i < editLimits.dragMaxPairs; i++) {
      points.place([i, 0]);
      points.place([i, 1]);
    }
    expect(points.place([0, 5])).toBe("full");
    expect(points.pendingSource).toBeUndefined();
    expect(points.pairs).toHaveLength(editLimits.dragMaxPairs);
  });
});
