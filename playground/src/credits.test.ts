import { describe, expect, it } from "vitest";
import { balanceText, formatCredits } from "./credits.js";

describe("formatCredits", () => {
  it("writes micro-credits as exact decimal credits", () => {
    expect(formatCredits(34_200)).toBe("0.0342 credits");
    expect(formatCredits(1)).toBe("0.000001 credits");
    expect(formatCredits(1_000_000)).toBe("1 credit");
    expect(formatCredits(2_500_001)).toBe("2.500001 credits");
    expect(formatCredits(0)).toBe("0 credits");
  });
});

describe("balanceText", () => {
  it("writes the available credits, and the held ones only while something is held", () => {
    expect(balanceText({ balance: 12_500_000, held: 34_200 })).toBe("Balance: 12.5 credits (0.0342 credits held)");
    expect(balanceText({ balance: 1_000_000, held: 0 })).toBe("Balance: 1 credit");
    expect(balanceText({ balance: 0, held: 2_000_000 })).toBe("Balance: 0 credits (2 credits held)");
  });
});
