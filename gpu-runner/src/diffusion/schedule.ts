/** @module schedule: Stable Diffusion's scaled_linear noise schedule, ᾱ_t per train level (ALGORITHMS 1). */

export const trainSteps = 1000;
/** The level of a clean latent: ᾱ = 1, so a = 1 and c = 0. */
export const cleanLevel = -1;

const betaStart = 0.00085;
const betaEnd = 0.012;

/** ᾱ_t = Π_{i<=t} (1 - β_i), β = linspace(√0.00085, √0.012, 1000)², in float64 like the reference vectors. */
function scaledLinearAlphasCumprod(): Float64Array {
  const abar = new Float64Array(trainSteps);
  const from = Math.sqrt(betaStart);
  const to = Math.sqrt(betaEnd);
  let product = 1;
  for (let t = 0; t < trainSteps; t++) {
    const root = from + ((to - from) * t) / (trainSteps - 1);
    product *= 1 - root * root;
    abar[t] = product;
  }
  return abar;
}

const alphasCumprod = scaledLinearAlphasCumprod();

/** ᾱ at a level in -1..999 (-1 = clean). */
export function abarAt(level: number): number {
  if (level === cleanLevel) return 1;
  const abar = alphasCumprod[level];
  if (!Number.isInteger(level) || abar === undefined) {
    throw new RangeError(
      `level ${level} is not a train level; levels are integers in ${cleanLevel}..${trainSteps - 1}`,
    );
  }
  return abar;
}
