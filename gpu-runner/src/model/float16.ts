/** @module float16: float32 <-> IEEE 754 half-precision bits, for fp16 model I/O (Node 20 has no Float16Array). */

// The array conversions work on the float32 bit patterns and a table of every half's value: a UNet call converts
// about 10^5 values each way, so there is no function call, scratch array or power of two per value.

/**
 * Float32 values -> half bits, into `out` (a new array by default): rounded to nearest even, overflow gives
 * infinity, NaN gives the quiet NaN of its sign.
 */
export function toFloat16Array(values: Float32Array, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfOfFloatBits(bits[i]!);
  return out;
}

/** Half bits -> the float32 values they encode (exact), into `out` (a new array by default). */
export function fromFloat16Array(
  halves: Uint16Array,
  out: Float32Array = new Float32Array(halves.length),
): Float32Array {
  const values = halfValues();
  for (let i = 0; i < halves.length; i++) out[i] = values[halves[i]!]!;
  return out;
}

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** One float32 -> half bits (as toFloat16Array). */
export function toHalfBits(value: number): number {
  float32[0] = value;
  return halfOfFloatBits(float32Bits[0]!);
}

/** Half bits -> the value they encode (exact): the definition the decoding table is built from. */
export function fromHalfBits(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The float32 bit pattern `bits` as half bits. Thresholds are float32 bit patterns of magnitudes. */
function halfOfFloatBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const magnitude = bits & 0x7fffffff;
  if (magnitude >= 0x38800000) {
    // 2^16 and above (infinity, NaN included) is past the largest half even after rounding.
    if (magnitude >= 0x47800000) return sign | (magnitude > 0x7f800000 ? 0x7e00 : 0x7c00);
    // Normal half: re-bias the exponent (127 -> 15) and round the 23-bit mantissa to 10 bits, ties to even, by
    // adding just under half a unit plus the kept lowest bit. A carry into the exponent is still the right result
    // (up to infinity from 65520 on).
    return sign | ((magnitude - 0x38000000 + 0xfff + ((magnitude >>> 13) & 1)) >>> 13);
  }
  // Below 2^-25 everything rounds to zero (float32 subnormals included).
  if (magnitude < 0x33000000) return sign;
  // Subnormal half: the mantissa with its implicit one, shifted to units of 2^-24 and rounded, ties to even (the
  // largest ones round up into the smallest normal, 0x0400).
  const shift = 126 - (magnitude >>> 23);
  const full = (magnitude & 0x7fffff) | 0x800000;
  const kept = full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const halfUnit = 1 << (shift - 1);
  return sign | (rest > halfUnit || (rest === halfUnit && (kept & 1) === 1) ? kept + 1 : kept);
}

let table: Float32Array | undefined;

/** Every half's float32 value, indexed by its bits (256 KiB, built on first use). */
export function halfValues(): Float32Array {
  table ??= Float32Array.from({ length: 0x10000 }, (_, half) => fromHalfBits(half));
  return table;
}
