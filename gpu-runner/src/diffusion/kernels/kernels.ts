/**
 * @module kernels: the samplers' per-value loops in WebAssembly SIMD (kernels.wat), and runKernel, which runs one on
 * Float32Arrays: the same bytes as the JavaScript formulas they replace, in about a third of the time (two float64
 * divisions or products per instruction). The math modules (guidance.ts, eta-step.ts, ...) call them.
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

// One instance per thread (a worker that imports this module gets its own), made when the module is first imported.
export const kernels = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(kernelsWasmBase64, "base64")))
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
export function runKernel(
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
