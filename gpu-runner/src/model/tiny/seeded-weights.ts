/** @module seeded-weights: reproducible pseudo-random weights for the generated models (not the samplers' RNG). */

/** mulberry32: a small 32-bit generator; the tiny models only need weights that are the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export type WeightSource = (count: number, scale: number) => Float32Array;

/** Normal(0, scale^2) values (Box-Muller), one stream per seed. */
export function seededWeights(seed: number): WeightSource {
  const uniform = mulberry32(seed);
  return (count, scale) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      out[i] = scale * radius * Math.cos(angle);
      if (i + 1 < count) out[i + 1] = scale * radius * Math.sin(angle);
    }
    return out;
  };
}
