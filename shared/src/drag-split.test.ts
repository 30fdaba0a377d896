import { describe, expect, it } from "vitest";
import reference from "../../reference/sde-ode-vectors.json" with { type: "json" };
import { dragOperationCount, splitDragOperations } from "./drag-split.js";

describe("splitDragOperations against the reference cases", () => {
  for (const c of reference.drag_split.cases) {
    const pair = { from: c.source_latent as [number, number], to: c.target_latent as [number, number] };
    it(`splits ${JSON.stringify(c.source_latent)} -> ${JSON.stringify(c.target_latent)} into ${c.operations} operations`, () => {
      expect(dragOperationCount([pair])).toBe(c.operations);
      const ops = splitDragOperations([pair]);
      expect(ops.map((op) => ({ from: [...op[0]!.from], to: [...op[0]!.to] }))).toEqual(c.steps);
    });
  }
});

describe("dragOperationCount", () => {
  it("uses the longest pair when several move", () => {
    const short = { from: [0, 0] as const, to: [1, 0] as const };
    const long = { from: [0, 0] as const, to: [0, 9] as const };
    expect(dragOperationCount([short, long])).toBe(5);
    expect(dragOperationCount([short])).toBe(1);
  });

  it("moves every pair in each operation and ends every pair on its target", () => {
    const pairs = [
      { from: [3, 4] as const, to: [20, 4] as const },
      { from: [30, 30] as const, to: [27, 33] as const },
    ];
    const ops = splitDragOperations(pairs);
    expect(ops.length).toBe(dragOperationCount(pairs));
    for (let i = 1; i < ops.length; i++) {
      expect(ops[i]!.map((p) => p.from)).toEqual(ops[i - 1]!.map((p) => p.to));
    }
    expect(ops.at(-1)!.map((p) => [...p.to])).toEqual([
      [20, 4],
      [27, 33],
    ]);
  });
});
