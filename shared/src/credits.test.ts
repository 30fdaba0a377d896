import { describe, expect, it } from "vitest";
import { formatCredits } from "./credits.js";

describe("formatCredits", () => {
  it("writes exact decimal credits, then the integer the API shows", () => {
    expect(formatCredits(100_000_000)).toBe("100 credits (100000000 micro-credits)");
    expect(formatCredits(34_200)).toBe("0.0342 credits (34200 micro-credits)");
    expect(formatCredits(2_500_001)).toBe("2.500001 credits (2500001 micro-credits)");
    expect(formatCredits(1_000_000)).toBe("1 credit (1000000 micro-credits)");
    expect(formatCredits(1)).toBe("0.000001 credits (1 micro-credit)");
    expect(formatCredits(0)).toBe("0 credits (0 micro-credits)");
    expect(formatCredits(-34_200)).toBe("-0.0342 credits (-34200 micro-credits)");
  });

  it("refuses what is not a whole number of micro-credits", () => {
    expect(() => formatCredits(1.5)).toThrow(RangeError);
    expect(() => formatCredits(Number.NaN)).toThrow(RangeError);
  });
});
