import { describe, expect, it } from "vitest";
import { fromFloat16Array, fromHalfBits, toFloat16Array, toHalfBits } from "./float16.js";

describe("half-precision conversion", () => {
  it("encodes the IEEE 754 binary16 reference values", () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(0.5)).toBe(0x3800);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(2 ** -14)).toBe(0x0400);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(-0)).toBe(0x8000);
    expect(toHalfBits(1 / 3)).toBe(0x3555);
  });

  it("rounds to nearest even, overflows to infinity and keeps NaN", () => {
    // 1 + 2^-11 lies exactly between 1 and the next half (1 + 2^-10): ties go to the even mantissa.
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalfBits(65520)).toBe(0x7c00);
    expect(toHalfBits(-1e6)).toBe(0xfc00);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
    expect(toHalfBits(2 ** -26)).toBe(0);
    // Largest subnormal rounding up into the smallest normal.
    expect(toHalfBits(2 ** -14 - 2 ** -26)).toBe(0x0400);
  });

  it("decodes every finite half exactly and round-trips it", () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const finite = all.filter((h) => (h & 0x7c00) !== 0x7c00);
    const decoded = fromFloat16Array(finite);
    expect(Array.from(toFloat16Array(decoded))).toEqual(Array.from(finite));
    expect(fromHalfBits(0x7bff)).toBe(65504);
    expect(fromHalfBits(0x0001)).toBe(2 ** -24);
    expect(fromHalfBits(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
  });
});
