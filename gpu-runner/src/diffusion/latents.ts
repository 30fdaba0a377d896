/** @module latents: a batch of latents as one Float32Array in NCHW order. */

export type Shape4 = readonly [batch: number, channels: number, height: number, width: number];

export interface Latents {
  readonly data: Float32Array;
  readonly shape: Shape4;
}

export function latents(
  shape: Shape4,
  data: Float32Array = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]),
): Latents {
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  if (data.length !== size)
    throw new RangeError(`latents of shape [${shape.join(", ")}] need ${size} values, got ${data.length}`);
  return { data, shape };
}
