/** @module gaussian-mixture: a mixture of diagonal Gaussians: its density, score, posterior weights, noised law, draws. */
import type { GaussianRng } from "../diffusion/gaussian-rng.js";

// Legend: π_k = weight of component k, μ_k and v_k = its mean and per-dimension variance; a point x has D values.
// Posterior weight r_k(x) = π_k N(x; μ_k, v_k) / p(x); score ∇ log p(x) = -Σ_k r_k(x) (x - μ_k) / v_k.

export interface MixtureComponentSpec {
  /** Relative weight (> 0); the weights are normalised to sum to 1. */
  readonly weight: number;
  /** One value per dimension of a point. */
  readonly mean: readonly number[];
  /** Standard deviation: one per dimension, or one for every dimension. */
  readonly std: number | readonly number[];
}

const halfLogTwoPi = 0.5 * Math.log(2 * Math.PI);

/**
 * p(x) = Σ_k π_k N(x; μ_k, diag v_k) over points of `dimension` values. One component is a diagonal Gaussian. All
 * arithmetic is float64; a point is read from any array at an offset, so a latent can hold several points in a row.
 */
export class GaussianMixture {
  readonly dimension: number;
  readonly weights: Float64Array;
  readonly means: readonly Float64Array[];
  readonly variances: readonly Float64Array[];
  /** log π_k - ½ Σ_d log(2π v_kd): the part of log π_k N(x; μ_k, v_k) that does not depend on x. */
  private readonly logNormalisers: Float64Array;
  private readonly scratch: Float64Array;

  constructor(components: readonly MixtureComponentSpec[]) {
    const first = components[0];
    if (first === undefined) throw new RangeError("a Gaussian mixture needs at least one component");
    this.dimension = first.mean.length;
    if (this.dimension < 1) throw new RangeError("mixture component 0 has an empty mean; a point needs ≥ 1 value");
    const total = components.reduce((sum, c) => sum + c.weight, 0);
    this.weights = Float64Array.from(components, (c, k) => {
      if (!(c.weight > 0 && Number.isFinite(c.weight))) {
        throw new RangeError(`mixture component ${k} has weight ${c.weight}; weights must be finite and > 0`);
      }
      return c.weight / total;
    });
    this.means = components.map((c, k) => {
      if (c.mean.length !== this.dimension) {
        throw new RangeError(
          `mixture component ${k} has ${c.mean.length} mean values; component 0 has ${this.dimension}`,
        );
      }
      if (!c.mean.every(Number.isFinite)) throw new RangeError(`mixture component ${k} has a non-finite mean value`);
      return Float64Array.from(c.mean);
    });
    this.variances = components.map((c, k) => {
      const std = typeof c.std === "number" ? new Array<number>(this.dimension).fill(c.std) : c.std;
      if (std.length !== this.dimension) {
        throw new RangeError(`mixture component ${k} has ${std.length} std values; expected 1 or ${this.dimension}`);
      }
      if (!std.every((s) => s > 0 && Number.isFinite(s))) {
        throw new RangeError(`mixture component ${k} has a std ≤ 0 or non-finite; every std must be > 0`);
      }
      return Float64Array.from(std, (s) => s * s);
    });
    this.logNormalisers = Float64Array.from(this.variances, (v, k) => {
      let sum = Math.log(this.weights[k]!);
      for (const vd of v) sum -= halfLogTwoPi + 0.5 * Math.log(vd);
      return sum;
    });
    this.scratch = new Float64Array(components.length);
  }

  get componentCount(): number {
    return this.weights.length;
  }

  /** The law of x_t = √ᾱ x_0 + √(1-ᾱ) z when x_0 follows this mixture: means √ᾱ μ_k, variances ᾱ v_k + 1 - ᾱ. */
  noised(abar: number): GaussianMixture {
    const a = Math.sqrt(abar);
    return new GaussianMixture(
      Array.from(this.weights, (weight, k) => ({
        weight,
        mean: Array.from(this.means[k]!, (m) => a * m),
        std: Array.from(this.variances[k]!, (v) => Math.sqrt(abar * v + 1 - abar)),
      })),
    );
  }

  /** log p(x) for the point x[offset .. offset + D). */
  logDensity(x: ArrayLike<number>, offset = 0): number {
    return this.jointLogDensities(x, offset, this.scratch);
  }

  /** Posterior weights r_k(x) of the point at offset, into out (length K). Returns log p(x). */
  posteriorWeights(x: ArrayLike<number>, offset: number, out: Float64Array): number {
    const logDensity = this.jointLogDensities(x, offset, out);
    for (let k = 0; k < out.length; k++) out[k] = Math.exp(out[k]! - logDensity);
    return logDensity;
  }

  /** ∇ log p at the point x[offset ..], into out[outOffset .. outOffset + D). */
  score(x: ArrayLike<number>, offset: number, out: Float64Array | Float32Array, outOffset: number): void {
    const r = this.scratch;
    this.posteriorWeights(x, offset, r);
    for (let d = 0; d < this.dimension; d++) {
      let sum = 0;
      for (let k = 0; k < r.length; k++)
        sum -= (r[k]! * (x[offset + d]! - this.means[k]![d]!)) / this.variances[k]![d]!;
      out[outOffset + d] = sum;
    }
  }

  /** The component that a uniform draw u in [0, 1) picks (inverse CDF of the weights). */
  componentAt(u: number): number {
    let cumulative = 0;
    for (let k = 0; k < this.weights.length; k++) {
      cumulative += this.weights[k]!;
      if (u < cumulative) return k;
    }
    return this.weights.length - 1;
  }

  /** One draw of component k into out[offset .. offset + D), with its D normals from rng. */
  sampleComponent(k: number, rng: GaussianRng, out: Float32Array, offset = 0): void {
    const mean = this.means[k]!;
    const variance = this.variances[k]!;
    for (let d = 0; d < this.dimension; d++) out[offset + d] = mean[d]! + Math.sqrt(variance[d]!) * rng.normal();
  }

  /** log π_k N(x; μ_k, v_k) for every k, into out; returns their log-sum-exp, log p(x). */
  private jointLogDensities(x: ArrayLike<number>, offset: number, out: Float64Array): number {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < out.length; k++) {
      const mean = this.means[k]!;
      const variance = this.variances[k]!;
      let quadratic = 0;
      for (let d = 0; d < this.dimension; d++) {
        const deviation = x[offset + d]! - mean[d]!;
        quadratic += (deviation * deviation) / variance[d]!;
      }
      out[k] = this.logNormalisers[k]! - 0.5 * quadratic;
      if (out[k]! > max) max = out[k]!;
    }
    let sum = 0;
    for (let k = 0; k < out.length; k++) sum += Math.exp(out[k]! - max);
    return max + Math.log(sum);
  }
}
