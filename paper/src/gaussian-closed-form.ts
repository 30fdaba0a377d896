/** @module gaussian-closed-form: the exact laws of ALGORITHMS 3's Gaussian chain, and KLs fitted from samples. */
import { abarAt, type GaussianData, stepCoefficients } from "@stochedit/gpu-runner/sampling";

// Legend (ALGORITHMS 3): data x_0 ~ N(μ, s²); v_t = ᾱ_t s² + 1 - ᾱ_t; d = √(1 - ᾱ_s - σ²). With the exact predictor
// one step of Eq. 6 maps N(m, V) to N(A m + B, A² V + σ²), A = (a_s a_t s² + d c_t)/v_t,
// B = μ (a_s (1 - ᾱ_t) - d c_t a_t)/v_t.

export interface GaussianMoments {
  readonly mean: number;
  readonly variance: number;
}

/** KL(N(p) || N(q)) in nats. */
export function klGaussian(p: GaussianMoments, q: GaussianMoments): number {
  const ratio = p.variance / q.variance;
  return 0.5 * (ratio + (p.mean - q.mean) ** 2 / q.variance - 1 - Math.log(ratio));
}

/** The law after one step of Eq. 6 from level t to s with the exact predictor for `data`. */
export function pushGaussianThroughStep(
  start: GaussianMoments,
  t: number,
  s: number,
  eta: number,
  data: GaussianData,
): GaussianMoments {
  const { aT, cT, aS, sigma, dirCoeff: d } = stepCoefficients(t, s, eta);
  const s2 = data.std ** 2;
  const vT = aT * aT * s2 + cT * cT;
  const A = (aS * aT * s2 + d * cT) / vT;
  const B = (data.mean * (aS * cT * cT - d * cT * aT)) / vT;
  return { mean: A * start.mean + B, variance: A * A * start.variance + sigma * sigma };
}

/** The true marginal N(a_t μ, v_t) of level t (level -1: the data itself). */
export function marginalAt(abar: number, data: GaussianData): GaussianMoments {
  return { mean: Math.sqrt(abar) * data.mean, variance: abar * data.std ** 2 + 1 - abar };
}

/** Sample mean and unbiased variance. */
export function fittedMoments(x: Float32Array): GaussianMoments {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let squares = 0;
  for (const v of x) squares += (v - mean) ** 2;
  return { mean, variance: squares / (x.length - 1) };
}

/**
 * Monte-Carlo tolerance of KL(fitted N(m̂, V̂) || q) from n iid draws of N(m, V) = p: 4 standard deviations by the
 * delta method (Var m̂ = V/n, Var V̂ = 2V²/n; ∂KL/∂m = (m - m_q)/V_q, ∂KL/∂V = (1/V_q - 1/V)/2), plus the
 * estimator's bias V/(2 n V_q) + 1/(2n) from the second derivatives.
 */
export function klMonteCarloTolerance(p: GaussianMoments, q: GaussianMoments, n: number): number {
  const dMean = (p.mean - q.mean) / q.variance;
  const dVariance = 0.5 * (1 / q.variance - 1 / p.variance);
  const sd = Math.sqrt((dMean ** 2 * p.variance) / n + (dVariance ** 2 * 2 * p.variance ** 2) / n);
  return 4 * sd + p.variance / (2 * n * q.variance) + 1 / (2 * n);
}

/**
 * Var(final law) / s² when the true marginal N(a_t0 μ, v_t0) of data N(μ, s²) runs down `levels`: how much the chain
 * itself (no edit) shrinks or widens the data, from its discretisation alone. 1 on a perfect chain.
 */
export function chainVarianceRatio(levels: readonly number[], eta: number, data: GaussianData): number {
  let law = marginalAt(abarAt(levels[0]!), data);
  for (let k = 0; k + 1 < levels.length; k++) law = pushGaussianThroughStep(law, levels[k]!, levels[k + 1]!, eta, data);
  return law.variance / data.std ** 2;
}
