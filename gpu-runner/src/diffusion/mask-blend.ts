/** @module mask-blend: keeps the region outside an editable mask equal to a reference latent (ALGORITHMS 3, 5.2). */
import { kernels, runKernel } from "./kernels/kernels.js";

/**
 * x = m x + (1 - m) kept, per cell of a [1, C, H, W] latent, with the mask m at latent resolution (H x W, 1 =
 * editable). Written as a product rather than x + (1 - m)(kept - x) so that m = 0 gives `kept` bit for bit. A kernel
 * (kernels.wat).
 */
export function blendMask(x: Float32Array, kept: Float32Array, mask: Float32Array): void {
  runKernel(x, [x, kept, { repeated: mask }], (at, n) => kernels.blendMask(at(0), at(1), at(2), at(3), n));
}
