import { describe, expect, it } from "vitest";
import { checkGpuRequirement, GpuUnavailable } from "./gpu-requirement.js";

describe("checkGpuRequirement", () => {
  it("refuses a model on the CPU only when the GPU is required", () => {
    expect(() => checkGpuRequirement(true, "cpu")).toThrow(GpuUnavailable);
    expect(() => checkGpuRequirement(true, "cpu")).toThrow(/unset STOCHEDIT_REQUIRE_GPU to allow the CPU fallback/);
    expect(() => checkGpuRequirement(true, "cuda")).not.toThrow();
    expect(() => checkGpuRequirement(false, "cpu")).not.toThrow();
  });
});
