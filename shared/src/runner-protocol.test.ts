import { describe, expect, it } from "vitest";
import { editLimits } from "./limits.js";
import { ClaimedJob } from "./runner-protocol.js";

describe("ClaimedJob", () => {
  it("bounds the chosen seed as the request bounds its own: 0..2^32-1", () => {
    const seed = ClaimedJob.shape.seed;
    expect(seed.safeParse(0).success).toBe(true);
    expect(seed.safeParse(editLimits.seedMax).success).toBe(true);
    expect(seed.safeParse(editLimits.seedMax + 1).success).toBe(false);
    expect(seed.safeParse(-1).success).toBe(false);
    expect(seed.safeParse(1.5).success).toBe(false);
  });
});
