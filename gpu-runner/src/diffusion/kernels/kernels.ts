/**
 * @module kernels: the samplers' per-value loops in WebAssembly SIMD (kernels.wat): the same bytes as the
 * JavaScript formulas they replace, in about a third of the time (two float64 divisions or products per instruction).
 */
import { kernelsWasmBase64 } from "./kernels-binary.js";

// Node's WebAssembly global, as far as used here: TypeScript declares it only in the DOM libraries, not loaded here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
};

/** kernels.wat's exports: byte offsets into `memory`, the result's first, then the count of values n. */
interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  guidance(out: number, uncond: number, cond: number, n: number, guidance: number): void;
  forwardNoise(out: number, xS: number, z: number, n: number, keep: number, add: number): void;
  ddimStep(out: number, x: number, e: number, n: number, a: number, c: number, aNext: number, cNext: number): void;
  etaStep(
    out: number,
    x: number,
    e: number,
    w: number,
    n: number,
    aT: number,
    cT: number,
    aS: number,
    dirCoeff: number,
    sigma: number,
  ): void;
  blendMask(out: number, x: number, kept: number, mask: number, n: number): void;
  cycleSdeStep(
    out: number,
    x: number,
    e: number,
    recT: number,
    recS: number,
    eRec: number,
    n: number,
    aT: number,
    cT: number,
    aS: number,
    sigma: number,
    dirCoeff: number,
  ): void;
}

/** The coefficients of one step from level t down to s (eta-step.ts's StepCoefficients). */
interface StepScalars {
  readonly aT: number;
  readonly cT: number;
  readonly aS: number;
  readonly sigma: number;
  readonly dirCoeff: number;
}

// One instance per thread (a worker that imports this module gets its own), made when the module is first imported.
const kernels = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(kernelsWasmBase64, "base64")))
  .exports as unknown as KernelExports;
/** The kernels' memory as floats; made again when the memory grows (growing detaches the old view). */
let heap = new Float32Array(kernels.memory.buffer);

/** An input the kernel reads once per value of the result: a mask over one channel, repeated over all of them. */
interface Repeated {
  readonly repeated: Float32Array;
}

/**
 * Runs a kernel on `inputs` copied into the kernels' memory and copies its result into out. The kernel gets `at`, the
 * byte offset of a region (0: the result; 1, 2, ...: the inputs in order), and n = out.length. Every input is copied
 * in before anything is written, so out may be any of them.
 */
function runKernel(
  out: Float32Array,
  inputs: readonly (Float32Array | Repeated)[],
  kernel: (at: (region: number) => number, n: number) => void,
): void {
  const n = out.length;
  for (const input of inputs) {
    const length = "repeated" in input ? input.repeated.length : input.length;
    const fits = "repeated" in input ? length > 0 && n % length === 0 : length === n;
    if (!fits) throw new RangeError(`an input of ${length} values for a result of ${n}`);
  }
  // Regions 16-byte aligned, with room for the float a pair loop writes past an odd n.
  const stride = (n + 3) & ~3;
  const missingPages = Math.ceil(((inputs.length + 1) * stride * 4 - kernels.memory.buffer.byteLength) / 65536);
  if (missingPages > 0) {
    kernels.memory.grow(missingPages);
    heap = new Float32Array(kernels.memory.buffer);
  }
  inputs.forEach((input, i) => {
    const at = (i + 1) * stride;
    if ("repeated" in input) {
      for (let done = 0; done < n; done += input.repeated.length) heap.set(input.repeated, at + done);
    } else {
      heap.set(input, at);
    }
  });
  kernel((region) => 4 * region * stride, n);
  out.set(heap.subarray(0, n));
}

/** out = e_u + g (e_c - e_u), e_u and e_c being out.length values at offsets `uncond` and `cond` of eps. */
export function guidanceKernel(
  out: Float32Array,
  eps: Float32Array,
  uncond: number,
  cond: number,
  guidance: number,
): void {
  const n = out.length;
  if (Math.max(uncond, cond) + n > eps.length || Math.min(uncond, cond) < 0) {
    throw new RangeError(`${n} values at ${uncond} and ${cond} do not fit in ${eps.length}`);
  }
  const inputs = [eps.subarray(uncond, uncond + n), eps.subarray(cond, cond + n)];
  runKernel(out, inputs, (at, size) => kernels.guidance(at(0), at(1), at(2), size, guidance));
}

/** out = keep xS + add z. */
export function forwardNoiseKernel(
  out: Float32Array,
  xS: Float32Array,
  z: Float32Array,
  keep: number,
  add: number,
): void {
  runKernel(out, [xS, z], (at, n) => kernels.forwardNoise(at(0), at(1), at(2), n, keep, add));
}

/** x0Hat = (x - c e) / a, out = aNext x0Hat + cNext e: DDIM's step, down or (inverting) up. */
export function ddimStepKernel(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  a: number,
  c: number,
  aNext: number,
  cNext: number,
): void {
  runKernel(out, [x, e], (at, n) => kernels.ddimStep(at(0), at(1), at(2), n, a, c, aNext, cNext));
}

/** x0Hat = (x - cT e) / aT, out = aS x0Hat + dirCoeff e + sigma w. */
export function etaStepKernel(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  w: Float32Array,
  c: StepScalars,
): void {
  runKernel(out, [x, e, w], (at, n) =>
    kernels.etaStep(at(0), at(1), at(2), at(3), n, c.aT, c.cT, c.aS, c.dirCoeff, c.sigma),
  );
}

/** Cycle-SDE's step above the clean level (cycle-sde.ts). */
export function cycleSdeStepKernel(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  recT: Float32Array,
  recS: Float32Array,
  eRec: Float32Array,
  c: StepScalars,
): void {
  runKernel(out, [x, e, recT, recS, eRec], (at, n) =>
    kernels.cycleSdeStep(at(0), at(1), at(2), at(3), at(4), at(5), n, c.aT, c.cT, c.aS, c.sigma, c.dirCoeff),
  );
}

/** out = m x + (1 - m) kept, the mask's values repeated over x's channels (x.length a multiple of mask.length). */
export function blendMaskKernel(out: Float32Array, x: Float32Array, kept: Float32Array, mask: Float32Array): void {
  runKernel(out, [x, kept, { repeated: mask }], (at, n) => kernels.blendMask(at(0), at(1), at(2), at(3), n));
}
