/** @module sample-metrics: how far a set of edited latents is from the data law (exact likelihood, mode weights). */
import type { GaussianMixture } from "@stochedit/gpu-runner/sampling";

/** Mean log p_data(x) over the samples, divided by the dimension: nats per latent value. */
export function logLikelihoodPerDim(mixture: GaussianMixture, xs: readonly Float32Array[]): number {
  const total = xs.reduce((sum, x) => sum + mixture.logDensity(x), 0);
  return total / (xs.length * mixture.dimension);
}

/**
 * Wasserstein-1 distance between the laws of log p_data(x) / D over the samples and over a data sample of the same size
 * (the mean gap between their sorted values), nats per value. A proper distance between these 1-D laws: it sees both
 * samples that are too unlikely (wrong content) and too likely (over-smoothed, too little variance), which the mean
 * log-likelihood alone would reward.
 */
export function likelihoodW1(
  mixture: GaussianMixture,
  xs: readonly Float32Array[],
  data: readonly Float32Array[],
): number {
  if (xs.length !== data.length)
    throw new RangeError(`likelihoodW1 needs equal sizes, got ${xs.length} and ${data.length}`);
  const profile = (zs: readonly Float32Array[]) =>
    Float64Array.from(zs, (z) => mixture.logDensity(z) / mixture.dimension).sort();
  const [a, b] = [profile(xs), profile(data)];
  return a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
}

/**
 * Total variation ½ Σ_k |w_k - π_k| between the samples' mean posterior component weights w and the data weights π:
 * 0 when the samples fall into the patterns as often as data does.
 */
export function modeWeightTv(mixture: GaussianMixture, xs: readonly Float32Array[]): number {
  const r = new Float64Array(mixture.componentCount);
  const w = new Float64Array(mixture.componentCount);
  for (const x of xs) {
    mixture.posteriorWeights(x, 0, r);
    for (let k = 0; k < r.length; k++) w[k]! += r[k]! / xs.length;
  }
  return 0.5 * w.reduce((sum, wk, k) => sum + Math.abs(wk - mixture.weights[k]!), 0);
}

/** Root mean square difference per value between paired latents (how far an edit moved its input). */
export function rmsDistance(xs: readonly Float32Array[], ys: readonly Float32Array[]): number {
  let sum = 0;
  let count = 0;
  xs.forEach((x, n) => {
    const y = ys[n]!;
    for (let i = 0; i < x.length; i++) sum += (x[i]! - y[i]!) ** 2;
    count += x.length;
  });
  return Math.sqrt(sum / count);
}

/**
 * The fraction of samples whose two regions show different patterns: the most likely component given the cells in
 * the region (cellMask 1) differs from the one given the other cells. A diagonal mixture's marginal on a set of values
 * is the same mixture restricted to them, so both are exact posteriors. Data samples are one pattern throughout (0).
 */
export function incoherentFraction(
  mixture: GaussianMixture,
  xs: readonly Float32Array[],
  cellMask: Float32Array,
): number {
  const cells = cellMask.length;
  const inRegion = (i: number) => cellMask[i % cells]! >= 0.5;
  const likeliest = (x: Float32Array, region: boolean) => {
    let [best, bestLog] = [0, Number.NEGATIVE_INFINITY];
    for (let k = 0; k < mixture.componentCount; k++) {
      const [mean, variance] = [mixture.means[k]!, mixture.variances[k]!];
      let log = Math.log(mixture.weights[k]!);
      for (let i = 0; i < x.length; i++) {
        if (inRegion(i) === region) log -= 0.5 * (Math.log(variance[i]!) + (x[i]! - mean[i]!) ** 2 / variance[i]!);
      }
      if (log > bestLog) [best, bestLog] = [k, log];
    }
    return best;
  };
  return xs.filter((x) => likeliest(x, true) !== likeliest(x, false)).length / xs.length;
}
