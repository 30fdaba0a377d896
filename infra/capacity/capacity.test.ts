import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EditRequestInput } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
import { capacityScenarios, editCost, h100Costs, replicasFor } from "./capacity.js";
import { productionCapacityMarkdown } from "./print-capacity.js";

const image = "up_capacityExample000001";
const drag = { task: "drag", image, points: [{ from: [246, 154], to: [246, 123] }] } satisfies EditRequestInput;
const size512 = { width: 512, height: 512 };

describe("editCost", () => {
  it("prices SDE-Drag's batch-4 calls at twice the measured batch-2 step", () => {
    const cost = editCost(drag, size512);
    expect(cost.batch).toBe(4);
    const unetMs = cost.unetCalls * 2 * h100Costs.unetMsPerCallAtBatch2;
    const otherMs = cost.unetCalls * h100Costs.overheadMsPerCall + h100Costs.vaeMsAtReference + h100Costs.jobIoMs;
    expect(cost.seconds * 1000).toBeCloseTo(unetMs + otherMs, 6);
    expect(cost.editsPerGpuHour * cost.seconds).toBeCloseTo(3600, 6);
  });

  it("gives ODE-Drag the same UNet work as SDE-Drag: twice the calls at half the batch", () => {
    const sde = editCost(drag, size512);
    const ode = editCost({ ...drag, sampler: "ode" }, size512);
    expect(ode.unetCalls * ode.batch).toBe(sde.unetCalls * sde.batch);
    // Only the per-call overhead differs.
    expect((ode.seconds - sde.seconds) * 1000).toBeCloseTo(sde.unetCalls * h100Costs.overheadMsPerCall, 6);
  });

  it("scales the model time with the working pixels", () => {
    const small = editCost({ task: "inpaint", image, mask: "up_capacityExampleMask001" }, size512);
    const large = editCost(
      { task: "inpaint", image, mask: "up_capacityExampleMask001" },
      { width: 1024, height: 1024 },
    );
    const modelMs = (cost: typeof small) =>
      cost.seconds * 1000 - h100Costs.jobIoMs - cost.unetCalls * h100Costs.overheadMsPerCall;
    expect(modelMs(large)).toBeCloseTo(4 * modelMs(small), 6);
  });

  it("covers every task in the scenarios of the table", () => {
    const tasks = new Set(capacityScenarios.map((scenario) => scenario.request.task));
    expect(tasks).toEqual(new Set(["drag", "inpaint", "img2img"]));
  });
});

describe("replicasFor", () => {
  const scaling = { targetValue: 4, minReplicaCount: 0, maxReplicaCount: 16 };

  it("scales to zero on an empty backlog only when the minimum allows it", () => {
    expect(replicasFor(0, scaling)).toBe(0);
    expect(replicasFor(0, { ...scaling, minReplicaCount: 1 })).toBe(1);
  });

  it("asks for ceil(backlog / target) runners within the bounds", () => {
    expect([1, 4, 5, 8, 9, 63, 64, 65, 1000].map((backlog) => replicasFor(backlog, scaling))).toEqual([
      1, 1, 2, 2, 3, 16, 16, 16, 16,
    ]);
  });
});

describe("docs/deploy.md", () => {
  it("shows the capacity tables this module prints for the production overlay", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../docs/deploy.md"), "utf8");
    const section = /<!-- capacity:start -->\n([\s\S]*?)\n<!-- capacity:end -->/.exec(doc)?.[1];
    expect(section, "run `npm run capacity -w infra` and paste its output between the capacity markers").toBe(
      productionCapacityMarkdown(),
    );
  });
});
