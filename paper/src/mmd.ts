/** @module mmd: the unbiased squared maximum mean discrepancy with an averaged Gaussian (RBF) kernel. */

// Legend: k(x, y) = (1/L) Σ_l exp(-‖x - y‖² / (2 ℓ_l²)) over the bandwidths ℓ_l; a sum of characteristic kernels is
// characteristic, so MMD² = 0 exactly when the two laws are equal.

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}

function kernel(squared: number, bandwidths: readonly number[]): number {
  let sum = 0;
  for (const l of bandwidths) sum += Math.exp(-squared / (2 * l * l));
  return sum / bandwidths.length;
}

/**
 * The unbiased U-statistic of Gretton et al. (2012, Lemma 6): mean k(x_i, x_j) over i ≠ j, plus the same for y,
 * minus twice the mean k(x_i, y_j). It can be slightly negative when the laws are equal.
 */
export function mmdSquared(
  xs: readonly Float32Array[],
  ys: readonly Float32Array[],
  bandwidths: readonly number[],
): number {
  const within = (zs: readonly Float32Array[]) => {
    let sum = 0;
    for (let i = 0; i < zs.length; i++) {
      for (let j = i + 1; j < zs.length; j++) sum += kernel(squaredDistance(zs[i]!, zs[j]!), bandwidths);
    }
    return (2 * sum) / (zs.length * (zs.length - 1));
  };
  let cross = 0;
  for (const x of xs) for (const y of ys) cross += kernel(squaredDistance(x, y), bandwidths);
  return within(xs) + within(ys) - (2 * cross) / (xs.length * ys.length);
}

/** The median of the pairwise distances ‖z_i - z_j‖ (i < j): the median heuristic for an RBF bandwidth. */
export function medianDistance(zs: readonly Float32Array[]): number {
  const distances: number[] = [];
  for (let i = 0; i < zs.length; i++) {
    for (let j = i + 1; j < zs.length; j++) distances.push(Math.sqrt(squaredDistance(zs[i]!, zs[j]!)));
  }
  distances.sort((a, b) => a - b);
  const middle = distances.length >> 1;
  return distances.length % 2 === 1 ? distances[middle]! : 0.5 * (distances[middle - 1]! + distances[middle]!);
}
