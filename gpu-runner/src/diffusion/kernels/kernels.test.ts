import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { assembleKernels, binaryFile, binarySource } from "../../../scripts/assemble-kernels.js";
import { cycleSdeStep } from "../cycle-sde.js";
import { ddimInversionStep } from "../ddim-inversion.js";
import { etaStep, type StepCoefficients, stepCoefficients } from "../eta-step.js";
import { forwardNoise } from "../forward-noise.js";
import { GaussianRng } from "../gaussian-rng.js";
import { combineGuidance } from "../guidance.js";
import { blendMask } from "../mask-blend.js";
import { abarAt } from "../schedule.js";

// The JavaScript loops the kernels replaced, value by value: the reference their bytes are checked against.
const reference = {
  guidance(out: Float32Array, eps: Float32Array, uncond: number, cond: number, g: number) {
    for (let i = 0; i < out.length; i++) out[i] = eps[uncond + i]! + g * (eps[cond + i]! - eps[uncond + i]!);
  },
  forwardNoise(out: Float32Array, xS: Float32Array, s: number, t: number, z: Float32Array) {
    const ratio = abarAt(t) / abarAt(s);
    const [keep, add] = [Math.sqrt(ratio), Math.sqrt(1 - ratio)];
    for (let i = 0; i < out.length; i++) out[i] = keep * xS[i]! + add * z[i]!;
  },
  ddimInversionStep(out: Float32Array, x: Float32Array, e: Float32Array, s: number, t: number) {
    const [aS, cS, aT, cT] = [
      Math.sqrt(abarAt(s)),
      Math.sqrt(1 - abarAt(s)),
      Math.sqrt(abarAt(t)),
      Math.sqrt(1 - abarAt(t)),
    ];
    for (let i = 0; i < out.length; i++) {
      const x0Hat = (x[i]! - cS * e[i]!) / aS;
      out[i] = aT * x0Hat + cT * e[i]!;
    }
  },
  etaStep(out: Float32Array, x: Float32Array, e: Float32Array, c: StepCoefficients, w?: Float32Array) {
    const { aT, cT, aS, sigma, dirCoeff } = c;
    for (let i = 0; i < out.length; i++) {
      const x0Hat = (x[i]! - cT * e[i]!) / aT;
      out[i] = w ? aS * x0Hat + dirCoeff * e[i]! + sigma * w[i]! : aS * x0Hat + dirCoeff * e[i]!;
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
    c: StepCoefficients,
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
/** A Cycle-SDE step (η = 1) from level 600 to 597, and a DDIM step (η = 0) from 300 to 280. */
const [sde, ode] = [stepCoefficients(600, 597, 1), stepCoefficients(300, 280, 0)];

describe("kernels", () => {
  it("are kernels.wat as assembled now (run `npm run kernels` after changing it)", async () => {
    expect(await readFile(binaryFile, "utf8")).toBe(binarySource(await assembleKernels()));
  });

  // Odd counts exercise the pair loops' last value; 300000 makes the memory grow.
  for (const n of [1, 2, 7, 16384, 300_001]) {
    it(`give each step the bytes of the JavaScript they replaced, ${n} values`, () => {
      const eps = values(3 * n);
      const [want, got] = [new Float32Array(n), new Float32Array(n)];
      const same = () => expect(bytes(got).equals(bytes(want))).toBe(true);
      reference.guidance(want, eps, 2 * n, n, 7.5);
      combineGuidance(got, eps, 2 * n, n, 7.5);
      same();

      const [x, e, recT, recS, eRec] = [values(n), values(n), values(n), values(n), values(n)];
      reference.forwardNoise(want, x, 120, 140, e);
      forwardNoise(got, x, 120, 140, e);
      same();
      reference.forwardNoise(want, x, -1, 140, e);
      forwardNoise(got, x, -1, 140, e);
      same();

      reference.cycleSdeStep(want, x, e, recT, recS, eRec, sde);
      cycleSdeStep(got, x, e, recT, recS, eRec, sde, new Float32Array(n));
      same();

      reference.etaStep(want, x, e, ode);
      etaStep(got, x, e, ode);
      same();
      reference.etaStep(want, x, e, sde, recT);
      etaStep(got, x, e, sde, recT);
      same();

      reference.ddimInversionStep(want, x, e, 280, 300);
      ddimInversionStep(got, x, e, 280, 300);
      same();
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
      blendMask(x, kept, mask);
      expect(bytes(x).equals(bytes(want))).toBe(true);
      // m = 0 keeps `kept` bit for bit.
      for (let i = 0; i < x.length; i += 3) expect(x[i]).toBe(kept[i]);
    });
  }

  it("write into one of their own inputs (every input is read before out is written)", () => {
    const n = 33;
    const [x, e, recT, recS, eRec] = [values(n), values(n), values(n), values(n), values(n)];
    const want = new Float32Array(n);
    reference.cycleSdeStep(want, x, e, recT, recS, eRec, sde);
    cycleSdeStep(x, x, e, recT, recS, eRec, sde, new Float32Array(n));
    expect(bytes(x).equals(bytes(want))).toBe(true);

    reference.forwardNoise(want, recT, 10, 20, e);
    forwardNoise(recT, recT, 10, 20, e);
    expect(bytes(recT).equals(bytes(want))).toBe(true);

    const eps = values(2 * n);
    reference.guidance(want, eps, 0, n, 3);
    combineGuidance(eps.subarray(0, n), eps, 0, n, 3);
    expect(bytes(eps.subarray(0, n)).equals(bytes(want))).toBe(true);
  });

  it("refuse arrays of other lengths and ranges outside eps", () => {
    const n = 8;
    const floats = (count: number) => new Float32Array(count);
    expect(() => forwardNoise(floats(n), floats(n), 1, 2, floats(n - 1))).toThrow(RangeError);
    expect(() => combineGuidance(floats(n), floats(2 * n), n + 1, 0, 2)).toThrow(RangeError);
    expect(() => combineGuidance(floats(n), floats(2 * n), -1, n, 2)).toThrow(RangeError);
    expect(() => blendMask(floats(n), floats(n), floats(3))).toThrow(RangeError);
    expect(() => blendMask(floats(n), floats(n), floats(0))).toThrow(RangeError);
  });
});
