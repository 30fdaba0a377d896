import { describe, expect, it } from "vitest";
import { formatCredits } from "./credits.js";

describe("formatCredits", () => {
  it("writes micro-credits as exact decimal credits", () => {
    expect(formatCredits(34_200)).toBe("0.0342 credits");
    expect(formatCredits(1)).toBe("0.000001 credits");
    expect(formatCredits(1_000_000)).toBe("1 credit");
    expect(formatCredits(2_500_001)).toBe("2.500001 credits");
    expect(formatCredits(0)).toBe("0 credits");
  });
});
