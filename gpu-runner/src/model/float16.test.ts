import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { fromFloat16Array, fromHalfBits, toFloat16Array, toHalfBits } from "./float16.js";
import { referenceToHalfBits } from "./float16-reference.js";

/** Float32 values from bit patterns (NaN payloads kept: the array is never read as numbers on the way). */
const floatsOfBits = (bits: Uint32Array) => new Float32Array(bits.buffer, bits.byteOffset, bits.length);

/**
 * Bit patterns around every half: each half's own value, its float32 neighbours, the midpoint to the next half
 * (a rounding tie) and the midpoint's neighbours; both signs, every NaN and infinity, and float32 subnormals.
 */
function halfNeighbourhoods(): Uint32Array {
  const patterns: number[] = [];
  const bitsOf = new Uint32Array(1);
  const asFloat = new Float32Array(bitsOf.buffer);
  for (let half = 0; half < 0x7c00; half++) {
    asFloat[0] = fromHalfBits(half);
    const own = bitsOf[0]!;
    asFloat[0] = (fromHalfBits(half) + fromHalfBits(half + 1)) / 2;
    const tie = bitsOf[0]!;
    for (const at of [own, tie]) patterns.push(at - 1, at, at + 1);
  }
  for (let subnormal = 0; subnormal < 0x800000; subnormal += 4099) patterns.push(subnormal);
  patterns.push(0x7f800000, 0x7f800001, 0x7fc00000, 0x7fffffff, 0x7fa00000, 0x477fefff, 0x477ff000, 0x477fffff);
  const positive = patterns.filter((p) => p >= 0 && p <= 0x7fffffff);
  return Uint32Array.from([...positive, ...positive.map((p) => (p | 0x80000000) >>> 0)]);
}

/** The first few indices where two arrays differ, with both values in hex (deep equality on 10^6 items is slow). */
function differences(actual: ArrayLike<number>, expected: ArrayLike<number>, input?: Uint32Array): string[] {
  const found: string[] = [];
  for (let i = 0; i < expected.length && found.length < 5; i++) {
    if (actual[i] !== expected[i]) {
      found.push(
        `${input ? `0x${input[i]!.toString(16)}: ` : `[${i}]: `}${actual[i]?.toString(16)}, not ${expected[i]!.toString(16)}`,
      );
    }
  }
  if (actual.length !== expected.length) found.push(`${actual.length} values, not ${expected.length}`);
  return found;
}

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
    expect(toHalfBits(Number.NaN)).toBe(0x7e00);
    expect(toHalfBits(2 ** -26)).toBe(0);
    // 2^-25 is the tie between 0 and the smallest subnormal: even is 0; just above it rounds up.
    expect(toHalfBits(2 ** -25)).toBe(0);
    expect(toHalfBits(2 ** -25 + 2 ** -40)).toBe(0x0001);
    // Largest subnormal rounding up into the smallest normal.
    expect(toHalfBits(2 ** -14 - 2 ** -26)).toBe(0x0400);
  });

  it("decodes every half to exactly the value fromHalfBits defines", () => {
    const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const decoded = new Uint32Array(fromFloat16Array(all).buffer);
    const expected = new Uint32Array(Float32Array.from(all, fromHalfBits).buffer);
    expect(differences(decoded, expected)).toEqual([]);
    expect(fromHalfBits(0x7bff)).toBe(65504);
    expect(fromHalfBits(0x0001)).toBe(2 ** -24);
    expect(fromHalfBits(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("round-trips every finite half", () => {
    const finite = Uint16Array.from({ length: 0x10000 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(differences(toFloat16Array(fromFloat16Array(finite)), finite)).toEqual([]);
  });

  it("encodes as the previous implementation did, around every half, at every tie and on a sweep of all floats", () => {
    const sweep = Uint32Array.from({ length: 2 ** 20 }, (_, i) => (i * 4093 + 7) >>> 0);
    const draws = new GaussianRng(16).fill(new Float32Array(2 ** 18)).map((v) => v * 3);
    for (const values of [floatsOfBits(halfNeighbourhoods()), floatsOfBits(sweep), draws]) {
      const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
      expect(differences(toFloat16Array(values), Uint16Array.from(values, referenceToHalfBits), bits)).toEqual([]);
    }
  });

  it("writes into a given array, also at an offset inside a larger one", () => {
    const values = Float32Array.of(1, -2, 0.5);
    const halves = new Uint16Array(5);
    expect(toFloat16Array(values, halves.subarray(1, 4))).toEqual(Uint16Array.of(0x3c00, 0xc000, 0x3800));
    expect(halves).toEqual(Uint16Array.of(0, 0x3c00, 0xc000, 0x3800, 0));
    const floats = new Float32Array(4);
    fromFloat16Array(halves.subarray(1, 4), floats.subarray(1));
    expect(floats).toEqual(Float32Array.of(0, 1, -2, 0.5));
    // A Float32Array view that does not start at its buffer's first byte.
    expect(toFloat16Array(new Float32Array(Float32Array.of(9, 1, -2).buffer, 4))).toEqual(
      Uint16Array.of(0x3c00, 0xc000),
    );
  });
});
