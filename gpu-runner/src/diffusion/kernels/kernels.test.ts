import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { assembleKernels, binaryFile, binarySource } from "../../../scripts/assemble-kernels.js";
import { GaussianRng } from "../gaussian-rng.js";
import { cycleSdeStepKernel, forwardNoiseKernel, guidanceKernel } from "./kernels.js";

// The JavaScript each kernel stands for, value by value: the reference its bytes are checked against.
const reference = {
  guidance(out: Float32Array, eps: Float32Array, uncond: number, cond: number, g: number) {
    for (let i = 0; i < out.length; i++) out[i] = eps[uncond + i]! + g * (eps[cond + i]! - eps[uncond + i]!);
  },
  forwardNoise(out: Float32Array, xS: Float32Array, z: Float32Array, keep: number, add: number) {
    for (let i = 0; i < out.length; i++) out[i] = keep * xS[i]! + add * z[i]!;
  },
  cycleSdeStep(
    out: Float32Array,
    x: Float32Array,
    e: Float32Array,
    recT: Float32Array,
    recS: Float32Array,
    eRec: Float32Array,
    c: Coefficients,
  ) {
    const { aT, cT, aS, sigma, dirCoeff } = c;
    for (let i = 0; i < out.length; i++) {
      const x0HatRec = (recT[i]! - cT * eRec[i]!) / aT;
      const w = Math.fround((recS[i]! - aS * x0HatRec - dirCoeff * eRec[i]!) / sigma);
      const x0Hat = (x[i]! - cT * e[i]!) / aT;
      out[i] = aS * x0Hat + dirCoeff * e[i]! + sigma * w;
    }
  },
};

interface Coefficients {
  aT: number;
  cT: number;
  aS: number;
  sigma: number;
  dirCoeff: number;
}

const rng = new GaussianRng(7);
/** n values over many scales (1e-40 to 1e4, both signs, zeros), the awkward ones for rounding. */
function values(n: number): Float32Array {
  const out = rng.fill(new Float32Array(n));
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) out[i] = out[i]! * 10 ** ((i % 45) - 40);
    if (i % 11 === 5) out[i] = i % 2 ? 0 : -0;
  }
  return out;
}
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const coefficients: Coefficients = { aT: 0.5731, cT: 0.8195, aS: 0.6004, sigma: 0.0713, dirCoeff: 0.7965 };

describe("kernels", () => {
  it("are kernels.wat as assembled now (run `npm run kernels` after changing it)", async () => {
    expect(await readFile(binaryFile, "utf8")).toBe(binarySource(await assembleKernels()));
  });

  // Odd counts exercise the pair loops' last value; 300000 makes the memory grow.
  for (const n of [1, 2, 7, 16384, 300_001]) {
    it(`give the bytes of the JavaScript they replace, ${n} values`, () => {
      const eps = values(3 * n);
      const [want, got] = [new Float32Array(n), new Float32Array(n)];
      reference.guidance(want, eps, 2 * n, n, 7.5);
      guidanceKernel(got, eps, 2 * n, n, 7.5);
      expect(bytes(got).equals(bytes(want))).toBe(true);

      const [xS, z] = [values(n), values(n)];
      reference.forwardNoise(want, xS, z, 0.9987, 0.0512);
      forwardNoiseKernel(got, xS, z, 0.9987, 0.0512);
      expect(bytes(got).equals(bytes(want))).toBe(true);

      const [x, e, recT, recS, eRec] = [values(n), values(n), values(n), values(n), values(n)];
      reference.cycleSdeStep(want, x, e, recT, recS, eRec, coefficients);
      cycleSdeStepKernel(got, x, e, recT, recS, eRec, coefficients);
      expect(bytes(got).equals(bytes(want))).toBe(true);
    });
  }

  it("take out as one of the inputs (every input is read before out is written)", () => {
    const n = 33;
    const [x, e, recT, recS, eRec] = [values(n), values(n), values(n), values(n), values(n)];
    const want = new Float32Array(n);
    reference.cycleSdeStep(want, x, e, recT, recS, eRec, coefficients);
    cycleSdeStepKernel(x, x, e, recT, recS, eRec, coefficients);
    expect(bytes(x).equals(bytes(want))).toBe(true);

    const [xS, z] = [values(n), values(n)];
    reference.forwardNoise(want, xS, z, 0.5, 0.25);
    forwardNoiseKernel(xS, xS, z, 0.5, 0.25);
    expect(bytes(xS).equals(bytes(want))).toBe(true);

    const eps = values(2 * n);
    reference.guidance(want, eps, 0, n, 3);
    guidanceKernel(eps.subarray(0, n), eps, 0, n, 3);
    expect(bytes(eps.subarray(0, n)).equals(bytes(want))).toBe(true);
  });

  it("refuse arrays of other lengths and ranges outside eps", () => {
    const n = 8;
    expect(() => forwardNoiseKernel(new Float32Array(n), new Float32Array(n), new Float32Array(n - 1), 1, 1)).toThrow(
      RangeError,
    );
    expect(() => guidanceKernel(new Float32Array(n), new Float32Array(2 * n), n + 1, 0, 2)).toThrow(RangeError);
    expect(() => guidanceKernel(new Float32Array(n), new Float32Array(2 * n), -1, n, 2)).toThrow(RangeError);
  });
});
