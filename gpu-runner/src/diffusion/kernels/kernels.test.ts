import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { assembleKernels, binaryFile, binarySource } from "../../../scripts/assemble-kernels.js";
import { GaussianRng } from "../gaussian-rng.js";
import {
  blendMaskKernel,
  cycleSdeStepKernel,
  ddimStepKernel,
  etaStepKernel,
  forwardNoiseKernel,
  guidanceKernel,
} from "./kernels.js";

// The JavaScript each kernel stands for, value by value: the reference its bytes are checked against.
const reference = {
  guidance(out: Float32Array, eps: Float32Array, uncond: number, cond: number, g: number) {
    for (let i = 0; i < out.length; i++) out[i] = eps[uncond + i]! + g * (eps[cond + i]! - eps[uncond + i]!);
  },
  forwardNoise(out: Float32Array, xS: Float32Array, z: Float32Array, keep: number, add: number) {
    for (let i = 0; i < out.length; i++) out[i] = keep * xS[i]! + add * z[i]!;
  },
  ddimStep(out: Float32Array, x: Float32Array, e: Float32Array, a: number, c: number, aNext: number, cNext: number) {
    for (let i = 0; i < out.length; i++) {
      const x0Hat = (x[i]! - c * e[i]!) / a;
      out[i] = aNext * x0Hat + cNext * e[i]!;
    }
  },
  etaStep(out: Float32Array, x: Float32Array, e: Float32Array, w: Float32Array, c: Coefficients) {
    const { aT, cT, aS, sigma, dirCoeff } = c;
    for (let i = 0; i < out.length; i++) {
      const x0Hat = (x[i]! - cT * e[i]!) / aT;
      out[i] = aS * x0Hat + dirCoeff * e[i]! + sigma * w[i]!;
    }
  },
  blendMask(x: Float32Array, kept: Float32Array, mask: Float32Array) {
    for (let i = 0; i < x.length; i++) {
      const m = mask[i % mask.length]!;
      x[i] = m * x[i]! + (1 - m) * kept[i]!;
    }
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

      reference.ddimStep(want, x, e, 0.31, 0.95, 0.42, 0.9);
      ddimStepKernel(got, x, e, 0.31, 0.95, 0.42, 0.9);
      expect(bytes(got).equals(bytes(want))).toBe(true);

      reference.etaStep(want, x, e, recT, coefficients);
      etaStepKernel(got, x, e, recT, coefficients);
      expect(bytes(got).equals(bytes(want))).toBe(true);
    });
  }

  // A latent's mask covers one channel: 4 x 6 cells, 3 x 3 (an odd count), one cell.
  for (const [channels, cells] of [
    [4, 24],
    [4, 9],
    [3, 9],
    [2, 1],
  ] as const) {
    it(`blend a mask of ${cells} cells over ${channels} channels with the JavaScript's bytes`, () => {
      const mask = values(cells).map((v, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : Math.abs(v) % 1));
      const [x, kept] = [values(channels * cells), values(channels * cells)];
      const want = x.slice();
      reference.blendMask(want, kept, mask);
      blendMaskKernel(x, x, kept, mask);
      expect(bytes(x).equals(bytes(want))).toBe(true);
      // m = 0 keeps `kept` bit for bit.
      for (let i = 0; i < x.length; i += 3) expect(x[i]).toBe(kept[i]);
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
    const blend = (mask: number) => () =>
      blendMaskKernel(new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(mask));
    expect(blend(3)).toThrow(RangeError);
    expect(blend(0)).toThrow(RangeError);
  });
});
