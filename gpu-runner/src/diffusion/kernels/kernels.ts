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
  blendMask(x: number, kept: number, mask: number, n: number, cells: number): void;
  cycleSdeStep(
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

// One instance per thread (a worker that imports this module gets its own), made when the module is first imported.
const kernels = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(kernelsWasmBase64, "base64")))
  .exports as unknown as KernelExports;
/** The kernels' memory as floats; made again when the memory grows (growing detaches the old view). */
let heap = new Float32Array(kernels.memory.buffer);

/**
 * Makes room for `count` arrays of n floats, one after another, and returns the distance between them in floats:
 * rounded up to a multiple of 4, which keeps them 16-byte aligned and leaves room for the float a pair loop writes
 * past an odd n.
 */
function regions(count: number, n: number): number {
  const stride = (n + 3) & ~3;
  const missingPages = Math.ceil((count * stride * 4 - kernels.memory.buffer.byteLength) / 65536);
  if (missingPages > 0) {
    kernels.memory.grow(missingPages);
    heap = new Float32Array(kernels.memory.buffer);
  }
  return stride;
}

// Each kernel copies its inputs into the kernels' memory before it writes anything: out may alias any of them.

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
  const stride = regions(3, n);
  heap.set(eps.subarray(uncond, uncond + n), stride);
  heap.set(eps.subarray(cond, cond + n), 2 * stride);
  kernels.guidance(0, 4 * stride, 8 * stride, n, guidance);
  out.set(heap.subarray(0, n));
}

/** out = keep xS + add z, into out (which may be xS). */
export function forwardNoiseKernel(
  out: Float32Array,
  xS: Float32Array,
  z: Float32Array,
  keep: number,
  add: number,
): void {
  const n = out.length;
  checkLengths(n, xS, z);
  const stride = regions(3, n);
  heap.set(xS, stride);
  heap.set(z, 2 * stride);
  kernels.forwardNoise(0, 4 * stride, 8 * stride, n, keep, add);
  out.set(heap.subarray(0, n));
}

/** Cycle-SDE's step above the clean level (cycle-sde.ts), into out (which may be x). */
export function cycleSdeStepKernel(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  recT: Float32Array,
  recS: Float32Array,
  eRec: Float32Array,
  c: {
    readonly aT: number;
    readonly cT: number;
    readonly aS: number;
    readonly sigma: number;
    readonly dirCoeff: number;
  },
): void {
  const n = x.length;
  checkLengths(n, out, e, recT, recS, eRec);
  const stride = regions(5, n);
  [x, e, recT, recS, eRec].forEach((array, i) => {
    heap.set(array, i * stride);
  });
  const at = (i: number) => 4 * i * stride;
  kernels.cycleSdeStep(at(0), at(1), at(2), at(3), at(4), n, c.aT, c.cT, c.aS, c.sigma, c.dirCoeff);
  out.set(heap.subarray(0, n));
}

/** x0Hat = (x - c e) / a, out = aNext x0Hat + cNext e, into out (which may be x): DDIM's step, either way. */
export function ddimStepKernel(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  a: number,
  c: number,
  aNext: number,
  cNext: number,
): void {
  const n = out.length;
  checkLengths(n, x, e);
  const stride = regions(3, n);
  heap.set(x, stride);
  heap.set(e, 2 * stride);
  kernels.ddimStep(0, 4 * stride, 8 * stride, n, a, c, aNext, cNext);
  out.set(heap.subarray(0, n));
}

/** x0Hat = (x - cT e) / aT, out = aS x0Hat + dirCoeff e + sigma w, into out (which may be x). */
export function etaStepKernel(
  out: Float32Array,
  x: Float32Array,
  e: Float32Array,
  w: Float32Array,
  c: {
    readonly aT: number;
    readonly cT: number;
    readonly aS: number;
    readonly sigma: number;
    readonly dirCoeff: number;
  },
): void {
  const n = out.length;
  checkLengths(n, x, e, w);
  const stride = regions(4, n);
  heap.set(x, stride);
  heap.set(e, 2 * stride);
  heap.set(w, 3 * stride);
  const at = (i: number) => 4 * i * stride;
  kernels.etaStep(0, at(1), at(2), at(3), n, c.aT, c.cT, c.aS, c.dirCoeff, c.sigma);
  out.set(heap.subarray(0, n));
}

/** x = m x + (1 - m) kept, the mask's values repeated over x's channels (x.length a multiple of mask.length). */
export function blendMaskKernel(x: Float32Array, kept: Float32Array, mask: Float32Array): void {
  const n = x.length;
  checkLengths(n, kept);
  if (mask.length === 0 || n % mask.length !== 0) {
    throw new RangeError(`a mask of ${mask.length} values does not tile ${n}`);
  }
  // The pair loop needs an even mask: an odd one goes in repeated over all of x.
  const cells = mask.length % 2 === 0 ? mask.length : n;
  const stride = regions(3, n);
  heap.set(x, 0);
  heap.set(kept, stride);
  for (let at = 0; at < cells; at += mask.length) heap.set(mask, 2 * stride + at);
  kernels.blendMask(0, 4 * stride, 8 * stride, n, cells);
  x.set(heap.subarray(0, n));
}

function checkLengths(n: number, ...arrays: Float32Array[]): void {
  if (arrays.some((array) => array.length !== n)) {
    throw new RangeError(`arrays of ${arrays.map((a) => a.length).join(", ")} values where ${n} were expected`);
  }
}
