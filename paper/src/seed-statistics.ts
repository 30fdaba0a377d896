/** @module seed-statistics: the spread of a metric over seeds: mean, standard error, 95% Student-t interval. */

/** t_{0.975, df} for df = 1..30; beyond 30 the normal 1.96 is within 2%. */
const studentT975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export interface SeedSummary {
  /** The metric of each seed, in the config's seed order. */
  readonly perSeed: readonly number[];
  readonly mean: number;
  /** Standard deviation over seeds / √seeds. */
  readonly standardError: number;
  /** Half-width of the 95% Student-t interval of the mean: t_{0.975, n-1} x standardError. */
  readonly ci95: number;
}

export function summarizeSeeds(perSeed: readonly number[]): SeedSummary {
  const n = perSeed.length;
  if (n < 2) throw new RangeError(`a spread over seeds needs at least 2 values, got ${n}`);
  const mean = perSeed.reduce((sum, v) => sum + v, 0) / n;
  const variance = perSeed.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  const standardError = Math.sqrt(variance / n);
  return { perSeed, mean, standardError, ci95: (studentT975[n - 2] ?? 1.96) * standardError };
}
