import { describe, expect, it } from "vitest";
import { balanceText } from "./credits.js";

describe("balanceText", () => {
  it("writes the available credits, and the held ones only while something is held", () => {
    expect(balanceText({ balance: 12_500_000, held: 34_200 })).toBe(
      "Balance: 12.5 credits (12500000 micro-credits); held: 0.0342 credits (34200 micro-credits)",
    );
    expect(balanceText({ balance: 1_000_000, held: 0 })).toBe("Balance: 1 credit (1000000 micro-credits)");
    expect(balanceText({ balance: 0, held: 2_000_000 })).toBe(
      "Balance: 0 credits (0 micro-credits); held: 2 credits (2000000 micro-credits)",
    );
  });
});
