/**
 * Helpers shared by the WebAssembly kernels: border extension (../common/border.ts),
 * the float-to-byte steps of the reference, and packing float64 lanes into bytes.
 *
 * Byte conversions, all as imagecorruptions ends its corruptions (np.uint8 after a clip,
 * i.e. truncation toward zero):
 * - unit-range values: uint8(clip(v, 0, 1) * 255) = trunc(min(max(v, 0), 1) * 255);
 * - 0..255 values: uint8(clip(v, 0, 255)) = trunc(min(max(v, 0), 255)).
 * In lanes the clip is pmax(pmin(v, hi), 0) (pseudo-min/max: one x86 instruction each,
 * where min/max need NaN handling): -0 and NaN pass through and truncate to 0, as the
 * JavaScript branches give (v <= 0 for -0; (NaN * 255) | 0 is 0).
 */

/**
 * x / 255 for every byte x, as float64 (the reference's x / 255.) and float32
 * (np.float32(x) / 255): one correctly rounded division each, so the same values as the
 * JavaScript tables UNIT_F64 / UNIT_F32 (../common/unit.ts). A lookup instead of a
 * division per value: a float64 division costs several cycles, a load one.
 */
const UNIT64: usize = memory.data(256 * 8);
const UNIT32: usize = memory.data(256 * 4);
for (let v = 0; v < 256; v++) {
  store<f64>(UNIT64 + (<usize>v << 3), <f64>v / 255.0);
  store<f32>(UNIT32 + (<usize>v << 2), <f32>(<f64>v / 255.0));
}

/** x / 255 in float64. */
export function unit64(x: u8): f64 {
  return load<f64>(UNIT64 + (<usize>x << 3));
}

/** float32(x / 255). */
export function unit32(x: u8): f32 {
  return load<f32>(UNIT32 + (<usize>x << 2));
}

/** Bytes src[0..n) as float32(x / 255) into dst. */
export function unitImage32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), unit32(load<u8>(src + i)));
}

export const MODE_REFLECT: i32 = 0;
export const MODE_MIRROR: i32 = 1;
export const MODE_NEAREST: i32 = 2;

/** ../common/border.ts borderIndex: maps i into [0, len) (reflect, mirror or nearest). */
export function borderIndex(i: i32, len: i32, mode: i32): i32 {
  if (i >= 0 && i < len) return i;
  if (len <= 1) return 0;
  if (mode == MODE_NEAREST) return i < 0 ? 0 : len - 1;
  if (mode == MODE_REFLECT) {
    const period = 2 * len;
    let k = i % period;
    if (k < 0) k += period;
    return k < len ? k : period - 1 - k;
  }
  const period = 2 * len - 2;
  let k = i % period;
  if (k < 0) k += period;
  return k < len ? k : period - k;
}

/** Scalar uint8(clip(v, 0, 1) * 255). */
export function unitByte(v: f64): u8 {
  return v <= 0 ? 0 : v >= 1 ? 255 : <u8>(<i32>(v * 255.0));
}

/** Scalar uint8(clip(v, 0, 255)). */
export function clipByte(v: f64): u8 {
  return v <= 0 ? 0 : v >= 255 ? 255 : <u8>(<i32>v);
}

/** Two lanes of unit-range values as int32 bytes in lanes 0-1 (lanes 2-3 zero). */
export function unitBytes2(v: v128): v128 {
  const c = f64x2.pmax(f64x2.pmin(v, f64x2.splat(1)), f64x2.splat(0));
  return i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(c, f64x2.splat(255)));
}

/** Two lanes of 0..255-range values as int32 bytes in lanes 0-1. */
export function clipBytes2(v: v128): v128 {
  const c = f64x2.pmax(f64x2.pmin(v, f64x2.splat(255)), f64x2.splat(0));
  return i32x4.trunc_sat_f64x2_s_zero(c);
}

/** Eight int32 results (lanes 0-1 of a, b, c, d) as eight bytes at dst. */
export function store8Bytes(dst: usize, a: v128, b: v128, c: v128, d: v128): void {
  const ab = i32x4.shuffle(a, b, 0, 1, 4, 5);
  const cd = i32x4.shuffle(c, d, 0, 1, 4, 5);
  const w = i16x8.narrow_i32x4_u(ab, cd);
  v128.store64_lane(dst, i8x16.narrow_i16x8_u(w, w), 0);
}

/** Eight bytes at src as four f64x2 vectors, in order (exact: small integers). */
export function bytesToF64(src: usize, out: usize): void {
  const w = v128.load8x8_u(src); // i16x8
  const lo = i32x4.extend_low_i16x8_u(w);
  const hi = i32x4.extend_high_i16x8_u(w);
  v128.store(out, f64x2.convert_low_i32x4_s(lo));
  v128.store(out, f64x2.convert_low_i32x4_s(i32x4.shuffle(lo, lo, 2, 3, 0, 1)), 16);
  v128.store(out, f64x2.convert_low_i32x4_s(hi), 32);
  v128.store(out, f64x2.convert_low_i32x4_s(i32x4.shuffle(hi, hi, 2, 3, 0, 1)), 48);
}

/** Two bytes at src as an f64x2 of x / 255 (table lookups). */
export function unit2(src: usize): v128 {
  return f64x2.replace_lane(f64x2.splat(unit64(load<u8>(src))), 1, unit64(load<u8>(src, 1)));
}
