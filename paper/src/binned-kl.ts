/** @module binned-kl: a plug-in KL estimate between two 1-D samples over bins of equal mass under the reference. */

/**
 * KL(P_B || Q_B) between the binned laws of `samples` (P) and `reference` (Q), with B bins whose edges are the
 * reference's j/B quantiles (the outer bins reach ±∞). Binning can only lower a KL (data processing), and the plug-in
 * estimate adds a positive bias of about (B - 1)/(2 n_P) + (B - 1)/(2 n_Q) for identical laws.
 */
export function binnedKl(samples: Float32Array, reference: Float32Array, bins: number): number {
  const sorted = Float32Array.from(reference).sort();
  const edges = Float64Array.from(
    { length: bins - 1 },
    (_, j) => sorted[Math.floor(((j + 1) * sorted.length) / bins)]!,
  );
  const p = binCounts(samples, edges);
  const q = binCounts(reference, edges);
  let kl = 0;
  for (let j = 0; j < bins; j++) {
    if (p[j] === 0) continue;
    const pj = p[j]! / samples.length;
    const qj = q[j]! / reference.length;
    kl += qj === 0 ? Number.POSITIVE_INFINITY : pj * Math.log(pj / qj);
  }
  return kl;
}

/** How many values fall in each bin: bin j holds edges[j-1] <= v < edges[j]. */
function binCounts(values: Float32Array, edges: Float64Array): Uint32Array {
  const counts = new Uint32Array(edges.length + 1);
  for (const v of values) {
    let [low, high] = [0, edges.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (edges[mid]! <= v) low = mid + 1;
      else high = mid;
    }
    counts[low]!++;
  }
  return counts;
}
