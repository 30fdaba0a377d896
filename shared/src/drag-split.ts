/** @module drag-split: SDE-Drag's split of a long drag into operations of about 2 latent cells (ALGORITHMS.md 5.3). */

export type LatentPoint = readonly [number, number];
export interface LatentPair {
  from: LatentPoint;
  to: LatentPoint;
}

/** m = 1 if max|D| <= 2, else floor(max|D| / 2), plus one if that brings max|D| / m closer to 2 (|D| Euclidean). */
export function dragOperationCount(pairs: readonly LatentPair[]): number {
  const dmax = Math.max(0, ...pairs.map((p) => Math.hypot(p.to[0] - p.from[0], p.to[1] - p.from[1])));
  if (dmax <= 2) return 1;
  const m = Math.floor(dmax / 2);
  return Math.abs(dmax / (m + 1) - 2) < Math.abs(dmax / m - 2) ? m + 1 : m;
}

/** Operation i moves every pair from S + int(i/m D) to S + int((i+1)/m D), truncating toward zero. */
export function splitDragOperations(pairs: readonly LatentPair[]): LatentPair[][] {
  const m = dragOperationCount(pairs);
  const at = (p: LatentPair, i: number): LatentPoint => [
    p.from[0] + Math.trunc(((p.to[0] - p.from[0]) * i) / m),
    p.from[1] + Math.trunc(((p.to[1] - p.from[1]) * i) / m),
  ];
  return Array.from({ length: m }, (_, i) => pairs.map((p) => ({ from: at(p, i), to: at(p, i + 1) })));
}
