/**
 * @module gaussian-rng: the job's seeded N(0, 1) generator (xoshiro128** + polar Box-Muller), same bytes everywhere.
 *
 * xoshiro128** (Blackman & Vigna) runs on 32-bit integer ops (Math.imul, shifts), which are exact on every machine.
 * Marsaglia's polar method needs only Math.sqrt (correctly rounded by IEEE 754) and Math.log, which V8 computes with
 * its own fdlibm port instead of the platform's libm, so every Node gives the same float64 and the same float32 draw.
 */

const twoPow31 = 2 ** 31;
const twoPow32 = 2 ** 32;

/** Where a sampler takes its N(0, 1) draws: the next out.length values of a seed's stream, rounded to float32. */
export interface GaussianSource {
  fill(out: Float32Array): Float32Array;
  /** Set when the source draws ahead on a thread of its own: a task then draws nothing ahead itself (NoiseAhead). */
  readonly drawsAhead?: boolean;
}

/** One generator per job; every draw of the job comes from it in a fixed order. */
export class GaussianRng implements GaussianSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Draws come in pairs; the second one waits here so the sequence does not depend on how callers split it. */
  private spare: number | undefined;
  /** normal()'s pair, in float64. */
  private readonly pair = new Float64Array(2);

  /** seed: an integer in 0..2^53-1 (the API allows 0..2^32-1). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed is ${seed}; it must be an integer in 0..2^53-1`);
    }
    // splitmix32 spreads the seed's low and high words over the 128-bit state.
    let mix = (seed >>> 0) ^ Math.imul(Math.floor(seed / twoPow32), 0x9e3779b9);
    const next = () => {
      mix = (mix + 0x9e3779b9) | 0;
      let z = mix;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro's one forbidden state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** One N(0, 1) draw in float64. */
  normal(): number {
    if (this.spare !== undefined) {
      const draw = this.spare;
      this.spare = undefined;
      return draw;
    }
    this.drawPairs(this.pair, 0, 2);
    this.spare = this.pair[1];
    return this.pair[0]!;
  }

  /** Fills out with N(0, 1) draws rounded to float32: the same sequence as repeated normal(). Returns out. */
  fill(out: Float32Array): Float32Array {
    let i = 0;
    if (this.spare !== undefined && out.length > 0) out[i++] = this.normal();
    const pairsEnd = i + ((out.length - i) & ~1);
    this.drawPairs(out, i, pairsEnd);
    if (pairsEnd < out.length) out[pairsEnd] = this.normal();
    return out;
  }

  /** Moves past the next `count` draws, as fills of that many values would. */
  skip(count: number): void {
    const scratch = new Float32Array(Math.min(count, 1 << 14));
    for (let left = count; left > 0; left -= scratch.length) {
      this.fill(left >= scratch.length ? scratch : scratch.subarray(0, left));
    }
  }

  /**
   * Independent pairs of draws into out[from..to) (an even count), in order. u, v are uniform on (-1, 1), never 0,
   * from two xoshiro128** outputs; a pair is kept when it falls inside the unit disc (π/4 of tries) and scaled by
   * √(-2 ln r² / r²). An SDE-Drag edit draws about 4·10^6 values, so the state lives in locals and xoshiro is
   * written out inline.
   */
  private drawPairs(out: Float32Array | Float64Array, from: number, to: number): void {
    let { s0, s1, s2, s3 } = this;
    for (let i = from; i < to; ) {
      const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const u = (a + 0.5) / twoPow31 - 1;
      const v = (b + 0.5) / twoPow31 - 1;
      const radius2 = u * u + v * v;
      if (radius2 >= 1) continue;
      const scale = Math.sqrt((-2 * Math.log(radius2)) / radius2);
      out[i] = u * scale;
      out[i + 1] = v * scale;
      i += 2;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
