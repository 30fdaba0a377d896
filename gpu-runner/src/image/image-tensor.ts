/** @module image-tensor: an RGB image as the VAE sees it: 3 x height x width floats in [-1, 1], channel-major. */

export interface ImageTensor {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}
