/**
 * @module float16-reference: for tests, the float32 -> half encoder as it was before issue 16 (commit 1f29564), kept
 * verbatim as the oracle: one value at a time, through a scratch Float32Array, with a general shift-and-round.
 */

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** One float32 -> half bits, rounded to nearest even; overflow gives infinity, NaN stays NaN. */
export function referenceToHalfBits(value: number): number {
  float32[0] = value;
  const bits = float32Bits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  // Re-bias from 127 to 15.
  const halfExponent = exponent - 112;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit leading one into place.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const rounded = roundShift(full, shift);
    return sign | rounded;
  }
  // Rounding may carry into the exponent, which is still the correct result (up to infinity).
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** value >> shift, rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}
