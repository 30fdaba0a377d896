import { describe, expect, it } from "vitest";
import { GaussianRng } from "./gaussian-rng.js";

describe("GaussianRng", () => {
  // Known answers from an independent Python implementation of splitmix32 seeding, xoshiro128** and the polar
  // method, rounded to float32: replaying a job on another machine or a later release must give these bytes.
  it.each([
    [42, [0.36039894819259644, -0.8372282385826111, -0.013506115414202213, 0.010954493656754494, 0.7639886736869812]],
    [2 ** 32 - 1, [-1.363194227218628, -0.23509417474269867, 1.700154423713684, -2.1317195892333984]],
    [0, [0.5353395342826843, -0.3266402781009674, -0.5169864296913147, 0.01436341367661953]],
  ])("draws the known sequence for seed %s", (seed, expected) => {
    const draws = new GaussianRng(seed).fill(new Float32Array(expected.length));
    expect(Array.from(draws)).toEqual(expected);
  });

  it("gives the same bytes for the same seed and other bytes for another seed", () => {
    const a = new GaussianRng(7).fill(new Float32Array(1000));
    const b = new GaussianRng(7).fill(new Float32Array(1000));
    const c = new GaussianRng(8).fill(new Float32Array(1000));
    expect(Buffer.from(a.buffer)).toEqual(Buffer.from(b.buffer));
    expect(Buffer.from(a.buffer)).not.toEqual(Buffer.from(c.buffer));
  });

  it("draws the same sequence however the fills are split (odd sizes and single draws included)", () => {
    const whole = new GaussianRng(3).fill(new Float32Array(12));
    const rng = new GaussianRng(3);
    const parts = [
      ...rng.fill(new Float32Array(3)),
      Math.fround(rng.normal()),
      ...rng.fill(new Float32Array(0)),
      ...rng.fill(new Float32Array(5)),
      ...rng.fill(new Float32Array(3)),
    ];
    expect(parts).toEqual(Array.from(whole));
  });

  it("skips as fills of the same count would, across its scratch chunks and with a spare draw waiting", () => {
    const whole = new GaussianRng(5).fill(new Float32Array(40_001));
    for (const count of [0, 1, 16_384, 16_385, 40_000]) {
      const rng = new GaussianRng(5);
      rng.skip(count);
      expect(rng.fill(new Float32Array(1))[0], `skip ${count}`).toBe(whole[count]);
    }
    const odd = new GaussianRng(5);
    odd.fill(new Float32Array(3));
    odd.skip(20_000);
    expect(odd.fill(new Float32Array(2))).toEqual(whole.subarray(20_003, 20_005));
  });

  it("has mean 0, variance 1 and Gaussian tails within Monte-Carlo error (n = 2^20)", () => {
    const n = 2 ** 20;
    const x = new GaussianRng(11).fill(new Float32Array(n));
    let [sum, squares, fourth, beyond2] = [0, 0, 0, 0];
    for (const v of x) {
      sum += v;
      squares += v * v;
      fourth += v ** 4;
      if (Math.abs(v) > 2) beyond2++;
    }
    // Standard errors: mean 1/√n, variance √(2/n), fourth moment √(96/n); P(|x| > 2) = 0.0455.
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(squares / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(fourth / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    const p = 0.0455003;
    expect(Math.abs(beyond2 / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });

  it("draws uncorrelated neighbours (the two halves of each pair included)", () => {
    const n = 2 ** 18;
    const x = new GaussianRng(12).fill(new Float32Array(n));
    for (const lag of [1, 2, 3]) {
      let product = 0;
      for (let i = 0; i + lag < n; i++) product += x[i]! * x[i + lag]!;
      expect(Math.abs(product / (n - lag))).toBeLessThan(5 / Math.sqrt(n));
    }
  });

  it.each([-1, 1.5, 2 ** 53, Number.NaN])("rejects seed %s", (seed) => {
    expect(() => new GaussianRng(seed)).toThrow(/seed is/);
  });
});
