/** @module uniform-rng: seeded uniform draws in [0, 1) for the experiments' discrete choices (mixture components). */

/**
 * splitmix32 (a 32-bit counter through the murmur3 finaliser): the experiments need a few uniform draws per sample to
 * pick mixture components, apart from the job's GaussianRng so that the normal draws keep their order.
 */
export class UniformRng {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9)) | 0;
  }

  /** One draw in [0, 1), a multiple of 2^-32. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  }
}

/** A 32-bit seed (a valid job seed) from several integers: splitmix32 rounds over the parts in order. */
export function deriveSeed(...parts: readonly number[]): number {
  let state = 0x2545f491;
  for (const part of parts) {
    state = (state ^ part ^ Math.imul(Math.floor(part / 2 ** 32), 0x9e3779b9)) | 0;
    state = (state + 0x9e3779b9) | 0;
    state = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
    state = Math.imul(state ^ (state >>> 13), 0xc2b2ae35);
    state ^= state >>> 16;
  }
  return state >>> 0;
}
