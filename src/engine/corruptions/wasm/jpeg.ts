/**
 * jpeg_compression without a codec: the lossy part of a baseline JPEG round trip, as
 * libjpeg-turbo 2.x / mozjpeg (the encoder and decoder in sharp's libvips, with
 * mozjpeg's extensions off, see ../kernels/jpeg_compression.ts) computes it, bit for bit.
 * Entropy coding is lossless, so the decoded pixels depend only on these steps:
 *
 * encoder: RGB -> YCbCr (jccolor.c rgb_ycc_convert: 16-bit fixed point, FIX(x) =
 *   round(x 2^16), Cb/Cr rounding fudge 0.5 - 2^-16); edges replicated to whole blocks
 *   (jcsample.c expand_right_edge, jcprepct.c expand_bottom_edge); 4:2:0 downsampling
 *   (jcsample.c h2v2_downsample: the 2x2 sum plus a bias alternating 1, 2 along the row,
 *   >> 2; rows past the chroma height repeat the last one); per 8x8 block: sample - 128,
 *   jfdctint.c (ISLOW, CONST_BITS 13, PASS1_BITS 2, output scaled by 8), quantisation by
 *   jcdctmgr.c's reciprocal method (compute_reciprocal with 16-bit DCTELEM, as in SIMD
 *   builds: ((|x| + corr) * recip) >> (16 + shift), applied through the "scale" multiply
 *   that the SIMD code uses), tables = Annex K scaled by the quality (JavaScript).
 * decoder: dequantisation and jidctint.c (ISLOW; the final clamp as the SIMD code does it:
 *   saturation to -128..127, + 128), jdsample.c h2v2_fancy_upsample (triangle filter,
 *   rounding +8 / +7, edge samples repeated; plain 2x2 replication when the chroma width
 *   is <= 2), jdcolor.c ycc_rgb_convert (tables FIX(1.402), FIX(1.772), FIX(0.71414),
 *   FIX(0.34414), clamped).
 *
 * All integer arithmetic (libjpeg documents that its ISLOW intermediates fit in 16 bits
 * between passes and in 32 bits within them for 8-bit samples), so vectorising changes
 * nothing. The block transforms run on eight rows (or columns) at a time in int16 lanes.
 * At low qualities most blocks keep only their DC: a block whose every AC coefficient is
 * below its quantiser's least nonzero input (a per-coefficient threshold found once per
 * table; the quantiser is monotone, so the test is exact) skips the vector quantiser and
 * the inverse DCT and gets jidctint.c's DC-only values.
 */
import { alloc } from './arena';

const CONST_BITS: i32 = 13;
const PASS1_BITS: i32 = 2;

// FIX(x) for CONST_BITS 13 (jfdctint.c, jidctint.c)
const F_0_298631336: i32 = 2446;
const F_0_390180644: i32 = 3196;
const F_0_541196100: i32 = 4433;
const F_0_765366865: i32 = 6270;
const F_0_899976223: i32 = 7373;
const F_1_175875602: i32 = 9633;
const F_1_501321110: i32 = 12299;
const F_1_847759065: i32 = 15137;
const F_1_961570560: i32 = 16069;
const F_2_053119869: i32 = 16819;
const F_2_562915447: i32 = 20995;
const F_3_072711026: i32 = 25172;

// the 8x8 block being transformed: 64 int16, row-major; and a transposed copy
const blk: usize = memory.data(128, 16);
const tmp: usize = memory.data(128, 16);
// per component: reciprocal, correction, scale (jcdctmgr.c's tables, 64 uint16 each) and the quantisation table (int16)
const divisors: usize = memory.data(2 * 3 * 128, 16);
const dequant: usize = memory.data(2 * 128, 16);
// per component: the reciprocal and the scale again as uint32 lanes (64 each), for the quantiser's 32-bit products
const divisors32: usize = memory.data(2 * 2 * 256, 16);
// per component: the least |x| + correction that quantises to a nonzero value (int16, 64 each; 32767: none below)
const thresholds: usize = memory.data(2 * 128, 16);

/*
 * The transforms run in int16 lanes, eight rows or columns at a time, as libjpeg-turbo's
 * SIMD code does: additions in int16 (libjpeg documents that every intermediate of an
 * 8-bit ISLOW transform fits), each rotation as int32 dot products of interleaved int16
 * pairs. The dot-product coefficients are jfdctint.c's / jidctint.c's products multiplied
 * out: e.g. the odd output tmp4 FIX_0_298631336 + z1 + z3 of the forward DCT, with
 * z1 = (tmp4 + tmp7)(-FIX_0_899976223), z3 = (tmp4 + tmp6)(-FIX_1_961570560) + z5 and
 * z5 = (tmp4 + tmp5 + tmp6 + tmp7) FIX_1_175875602, is -11363 tmp4 + 9633 tmp5
 * - 6436 tmp6 + 2260 tmp7 (K0A..K0D). Integer arithmetic distributes exactly (and every sum
 * fits in int32), so every value before a DESCALE is the C code's value.
 */

// The odd part, multiplied out (the same matrix in both transforms): row k gives the
// forward DCT's output 7, 5, 3, 1 from (tmp4, tmp5, tmp6, tmp7), and the inverse DCT's
// tmp0, tmp1, tmp2, tmp3 from the inputs (7, 5, 3, 1).
const K0A = F_0_298631336 - F_0_899976223 - F_1_961570560 + F_1_175875602; // -11363
const K0B = F_1_175875602;
const K0C = F_1_175875602 - F_1_961570560;
const K0D = F_1_175875602 - F_0_899976223;
const K1A = F_1_175875602;
const K1B = F_2_053119869 - F_2_562915447 - F_0_390180644 + F_1_175875602; // 2261
const K1C = F_1_175875602 - F_2_562915447;
const K1D = F_1_175875602 - F_0_390180644;
const K2A = F_1_175875602 - F_1_961570560;
const K2B = F_1_175875602 - F_2_562915447;
const K2C = F_3_072711026 - F_2_562915447 - F_1_961570560 + F_1_175875602; // -2259
const K2D = F_1_175875602;
const K3A = F_1_175875602 - F_0_899976223;
const K3B = F_1_175875602 - F_0_390180644;
const K3C = F_1_175875602;
const K3D = F_1_501321110 - F_0_899976223 - F_0_390180644 + F_1_175875602; // 11363

/** Coefficient pairs (a, b) repeated: dot products of interleaved (x, y) lanes give a x + b y. */
function pair(a: i32, b: i32): v128 {
  return i16x8.shuffle(i16x8.splat(<i16>a), i16x8.splat(<i16>b), 0, 8, 1, 9, 2, 10, 3, 11);
}

function lo16(x: v128, y: v128): v128 {
  return i16x8.shuffle(x, y, 0, 8, 1, 9, 2, 10, 3, 11);
}

function hi16(x: v128, y: v128): v128 {
  return i16x8.shuffle(x, y, 4, 12, 5, 13, 6, 14, 7, 15);
}

/** int16 lanes of (sum + 2^(n-1)) >> n for the int32 halves lo (lanes 0-3) and hi (4-7). */
function descale16(lo: v128, hi: v128, n: i32): v128 {
  const r = i32x4.splat(1 << (n - 1));
  return i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(lo, r), n), i32x4.shr_s(i32x4.add(hi, r), n));
}

/** ka a + kb b + kc c + kd d (int32) for interleaved pairs pa = (a, b) and pb = (c, d). */
function odd(pa: v128, pb: v128, ka: i32, kb: i32, kc: i32, kd: i32): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(pa, pair(ka, kb)), i32x4.dot_i16x8_s(pb, pair(kc, kd)));
}

/** dst = transpose of the 8x8 int16 block at src. */
function transpose(src: usize, dst: usize): void {
  const v0 = v128.load(src);
  const v1 = v128.load(src, 16);
  const v2 = v128.load(src, 32);
  const v3 = v128.load(src, 48);
  const v4 = v128.load(src, 64);
  const v5 = v128.load(src, 80);
  const v6 = v128.load(src, 96);
  const v7 = v128.load(src, 112);
  const a0 = lo16(v0, v1);
  const a1 = hi16(v0, v1);
  const a2 = lo16(v2, v3);
  const a3 = hi16(v2, v3);
  const a4 = lo16(v4, v5);
  const a5 = hi16(v4, v5);
  const a6 = lo16(v6, v7);
  const a7 = hi16(v6, v7);
  const b0 = i32x4.shuffle(a0, a2, 0, 4, 1, 5);
  const b1 = i32x4.shuffle(a0, a2, 2, 6, 3, 7);
  const b2 = i32x4.shuffle(a1, a3, 0, 4, 1, 5);
  const b3 = i32x4.shuffle(a1, a3, 2, 6, 3, 7);
  const b4 = i32x4.shuffle(a4, a6, 0, 4, 1, 5);
  const b5 = i32x4.shuffle(a4, a6, 2, 6, 3, 7);
  const b6 = i32x4.shuffle(a5, a7, 0, 4, 1, 5);
  const b7 = i32x4.shuffle(a5, a7, 2, 6, 3, 7);
  v128.store(dst, i64x2.shuffle(b0, b4, 0, 2));
  v128.store(dst, i64x2.shuffle(b0, b4, 1, 3), 16);
  v128.store(dst, i64x2.shuffle(b1, b5, 0, 2), 32);
  v128.store(dst, i64x2.shuffle(b1, b5, 1, 3), 48);
  v128.store(dst, i64x2.shuffle(b2, b6, 0, 2), 64);
  v128.store(dst, i64x2.shuffle(b2, b6, 1, 3), 80);
  v128.store(dst, i64x2.shuffle(b3, b7, 0, 2), 96);
  v128.store(dst, i64x2.shuffle(b3, b7, 1, 3), 112);
}

/**
 * The pass of a 1-D transform, chosen at compile time: AssemblyScript compiles a generic
 * function once per type argument, so with `Pass1` / `Pass2` as the argument every shift
 * amount and rounding constant below is a constant (variable SIMD shifts cost V8 extra
 * instructions).
 */
type Pass1 = i32;
type Pass2 = i64;

/**
 * One 1-D forward DCT over the 8 int16 rows of p (row k = input k): jfdctint.c pass 1
 * (outputs 0 and 4 << PASS1_BITS, the others descaled by CONST_BITS - PASS1_BITS) or
 * pass 2 (descaled by PASS1_BITS and CONST_BITS + PASS1_BITS).
 */
function fdct1d<P>(p: usize): void {
  const pass2 = sizeof<P>() == 8;
  const n = pass2 ? CONST_BITS + PASS1_BITS : CONST_BITS - PASS1_BITS;
  const x0 = v128.load(p);
  const x1 = v128.load(p, 16);
  const x2 = v128.load(p, 32);
  const x3 = v128.load(p, 48);
  const x4 = v128.load(p, 64);
  const x5 = v128.load(p, 80);
  const x6 = v128.load(p, 96);
  const x7 = v128.load(p, 112);
  const tmp0 = i16x8.add(x0, x7);
  const tmp7 = i16x8.sub(x0, x7);
  const tmp1 = i16x8.add(x1, x6);
  const tmp6 = i16x8.sub(x1, x6);
  const tmp2 = i16x8.add(x2, x5);
  const tmp5 = i16x8.sub(x2, x5);
  const tmp3 = i16x8.add(x3, x4);
  const tmp4 = i16x8.sub(x3, x4);
  const tmp10 = i16x8.add(tmp0, tmp3);
  const tmp13 = i16x8.sub(tmp0, tmp3);
  const tmp11 = i16x8.add(tmp1, tmp2);
  const tmp12 = i16x8.sub(tmp1, tmp2);
  if (pass2) {
    const r = i16x8.splat(<i16>(<i32>1 << (PASS1_BITS - 1)));
    v128.store(p, i16x8.shr_s(i16x8.add(i16x8.add(tmp10, tmp11), r), PASS1_BITS));
    v128.store(p, i16x8.shr_s(i16x8.add(i16x8.sub(tmp10, tmp11), r), PASS1_BITS), 64);
  } else {
    v128.store(p, i16x8.shl(i16x8.add(tmp10, tmp11), PASS1_BITS));
    v128.store(p, i16x8.shl(i16x8.sub(tmp10, tmp11), PASS1_BITS), 64);
  }
  // even rotation: out2 = z1 + FIX_0_765366865 tmp13, out6 = z1 - FIX_1_847759065 tmp12, z1 = FIX_0_541196100 (tmp12 + tmp13)
  const e0 = lo16(tmp13, tmp12);
  const e1 = hi16(tmp13, tmp12);
  const c2 = pair(F_0_541196100 + F_0_765366865, F_0_541196100);
  const c6 = pair(F_0_541196100, F_0_541196100 - F_1_847759065);
  v128.store(p, descale16(i32x4.dot_i16x8_s(e0, c2), i32x4.dot_i16x8_s(e1, c2), n), 32);
  v128.store(p, descale16(i32x4.dot_i16x8_s(e0, c6), i32x4.dot_i16x8_s(e1, c6), n), 96);
  // odd part: pairs (tmp4, tmp5) and (tmp6, tmp7)
  const a0 = lo16(tmp4, tmp5);
  const a1 = hi16(tmp4, tmp5);
  const b0 = lo16(tmp6, tmp7);
  const b1 = hi16(tmp6, tmp7);
  v128.store(p, descale16(odd(a0, b0, K0A, K0B, K0C, K0D), odd(a1, b1, K0A, K0B, K0C, K0D), n), 112);
  v128.store(p, descale16(odd(a0, b0, K1A, K1B, K1C, K1D), odd(a1, b1, K1A, K1B, K1C, K1D), n), 80);
  v128.store(p, descale16(odd(a0, b0, K2A, K2B, K2C, K2D), odd(a1, b1, K2A, K2B, K2C, K2D), n), 48);
  v128.store(p, descale16(odd(a0, b0, K3A, K3B, K3C, K3D), odd(a1, b1, K3A, K3B, K3C, K3D), n), 16);
}

/**
 * One 1-D inverse DCT over the 8 int16 rows of p: jidctint.c pass 1 (descale by
 * CONST_BITS - PASS1_BITS, results int16) or pass 2 (by CONST_BITS + PASS1_BITS + 3). The
 * all-zero-AC shortcuts of the C code give the same values as the full computation.
 */
function idct1d<P>(p: usize): void {
  const pass2 = sizeof<P>() == 8;
  const n = pass2 ? CONST_BITS + PASS1_BITS + 3 : CONST_BITS - PASS1_BITS;
  const x0 = v128.load(p);
  const x1 = v128.load(p, 16);
  const x2 = v128.load(p, 32);
  const x3 = v128.load(p, 48);
  const x4 = v128.load(p, 64);
  const x5 = v128.load(p, 80);
  const x6 = v128.load(p, 96);
  const x7 = v128.load(p, 112);
  // even part: tmp2 = z1 - FIX_1_847759065 z3, tmp3 = z1 + FIX_0_765366865 z2 (z1 = FIX_0_541196100 (z2 + z3),
  // z2 = x2, z3 = x6); tmp0, tmp1 = (x0 +- x4) << CONST_BITS, as dot products with (2^13, +-2^13)
  const e0 = lo16(x2, x6);
  const e1 = hi16(x2, x6);
  const c2 = pair(F_0_541196100, F_0_541196100 - F_1_847759065);
  const c3 = pair(F_0_541196100 + F_0_765366865, F_0_541196100);
  const d0 = lo16(x0, x4);
  const d1 = hi16(x0, x4);
  const plus = pair(1 << CONST_BITS, 1 << CONST_BITS);
  const minus = pair(1 << CONST_BITS, -(1 << CONST_BITS));
  const t0l = i32x4.dot_i16x8_s(d0, plus);
  const t0h = i32x4.dot_i16x8_s(d1, plus);
  const t1l = i32x4.dot_i16x8_s(d0, minus);
  const t1h = i32x4.dot_i16x8_s(d1, minus);
  const t2l = i32x4.dot_i16x8_s(e0, c2);
  const t2h = i32x4.dot_i16x8_s(e1, c2);
  const t3l = i32x4.dot_i16x8_s(e0, c3);
  const t3h = i32x4.dot_i16x8_s(e1, c3);
  const t10l = i32x4.add(t0l, t3l);
  const t10h = i32x4.add(t0h, t3h);
  const t13l = i32x4.sub(t0l, t3l);
  const t13h = i32x4.sub(t0h, t3h);
  const t11l = i32x4.add(t1l, t2l);
  const t11h = i32x4.add(t1h, t2h);
  const t12l = i32x4.sub(t1l, t2l);
  const t12h = i32x4.sub(t1h, t2h);
  // odd part: inputs (tmp0, tmp1, tmp2, tmp3) = (x7, x5, x3, x1), pairs (x7, x5) and (x3, x1)
  const a0 = lo16(x7, x5);
  const a1 = hi16(x7, x5);
  const b0 = lo16(x3, x1);
  const b1 = hi16(x3, x1);
  const o0l = odd(a0, b0, K0A, K0B, K0C, K0D);
  const o0h = odd(a1, b1, K0A, K0B, K0C, K0D);
  const o1l = odd(a0, b0, K1A, K1B, K1C, K1D);
  const o1h = odd(a1, b1, K1A, K1B, K1C, K1D);
  const o2l = odd(a0, b0, K2A, K2B, K2C, K2D);
  const o2h = odd(a1, b1, K2A, K2B, K2C, K2D);
  const o3l = odd(a0, b0, K3A, K3B, K3C, K3D);
  const o3h = odd(a1, b1, K3A, K3B, K3C, K3D);
  v128.store(p, descale16(i32x4.add(t10l, o3l), i32x4.add(t10h, o3h), n));
  v128.store(p, descale16(i32x4.sub(t10l, o3l), i32x4.sub(t10h, o3h), n), 112);
  v128.store(p, descale16(i32x4.add(t11l, o2l), i32x4.add(t11h, o2h), n), 16);
  v128.store(p, descale16(i32x4.sub(t11l, o2l), i32x4.sub(t11h, o2h), n), 96);
  v128.store(p, descale16(i32x4.add(t12l, o1l), i32x4.add(t12h, o1h), n), 32);
  v128.store(p, descale16(i32x4.sub(t12l, o1l), i32x4.sub(t12h, o1h), n), 80);
  v128.store(p, descale16(i32x4.add(t13l, o0l), i32x4.add(t13h, o0h), n), 48);
  v128.store(p, descale16(i32x4.sub(t13l, o0l), i32x4.sub(t13h, o0h), n), 64);
}

/** jcdctmgr.c compute_reciprocal for a 16-bit DCTELEM: reciprocal, correction and scale of divisor d at entry i of tbl. */
function computeReciprocal(d: u32, tbl: usize, i: i32): void {
  const b = 31 - clz<u32>(d); // flss(d) - 1
  let r = 16 + b;
  let fq: u32 = (<u32>1 << r) / d;
  const fr: u32 = (<u32>1 << r) % d;
  let c: u32 = d / 2;
  if (fr == 0) {
    fq >>= 1;
    r--;
  } else if (fr <= d / 2) {
    c++;
  } else {
    fq++;
  }
  const o = <usize>i << 1;
  store<u16>(tbl + o, <u16>fq);
  store<u16>(tbl + 128 + o, <u16>c);
  store<u16>(tbl + 256 + o, <u16>(<u32>1 << (32 - r)));
}

/** Quality tables (64 values each, natural order) for luma and chroma. */
export function jpegTables(luma: usize, chroma: usize): void {
  for (let t = 0; t < 2; t++) {
    const q = t == 0 ? luma : chroma;
    for (let i = 0; i < 64; i++) {
      const v = load<i32>(q + (<usize>i << 2));
      const div = divisors + <usize>t * 384;
      computeReciprocal(<u32>(v << 3), div, i);
      const o = <usize>i << 1;
      store<u32>(divisors32 + <usize>t * 512 + (o << 1), <u32>load<u16>(div + o));
      store<u32>(divisors32 + <usize>t * 512 + 256 + (o << 1), <u32>load<u16>(div + 256 + o));
      store<i16>(dequant + <usize>t * 128 + (<usize>i << 1), <i16>v);
      store<i16>(thresholds + <usize>t * 128 + o, <i16>leastNonzero(<u32>load<u16>(div + o), <u32>load<u16>(div + 256 + o)));
    }
  }
}

/** The quantiser's magnitude for a = |x| + correction (see roundTripBlock): ((a recip) >> 16) scale >> 16. */
function quantised(a: u32, recip: u32, scale: u32): u32 {
  return (((a * recip) >>> 16) * scale) >>> 16;
}

/**
 * The least a in 0..32766 that quantises to a nonzero magnitude, else 32767 (every a of an
 * 8-bit image's coefficients is below 2^15). quantised() is non-decreasing in a (products of
 * non-negative values and floor shifts), so a binary search finds it and a < threshold holds
 * exactly when the magnitude is 0.
 */
function leastNonzero(recip: u32, scale: u32): i32 {
  let lo: u32 = 0;
  let hi: u32 = 32767;
  if (quantised(hi - 1, recip, scale) == 0) return 32767;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (quantised(mid, recip, scale) != 0) hi = mid;
    else lo = mid + 1;
  }
  return <i32>lo;
}

/**
 * (a * m) >> 16 of the uint16 lanes a and uint32 lanes m (4 each: ml for lanes 0-3, mh for
 * 4-7, every m < 2^16), as uint16: x86's pmulhuw, which libjpeg's SIMD quantiser uses. The
 * products fit in uint32 and the shift is logical, so the 32-bit multiply is exact.
 */
function mulhiU16(a: v128, ml: v128, mh: v128): v128 {
  return i16x8.narrow_i32x4_u(i32x4.shr_u(i32x4.mul(i32x4.extend_low_i16x8_u(a), ml), 16), i32x4.shr_u(i32x4.mul(i32x4.extend_high_i16x8_u(a), mh), 16));
}

/** The lossy round trip of the 8x8 block at plane (row stride `stride`), in place; table t: 0 luma, 1 chroma. */
function roundTripBlock(plane: usize, stride: i32, t: i32): void {
  // samples - 128 into blk (row-major int16)
  for (let r = 0; r < 8; r++) {
    v128.store(blk + (<usize>r << 4), i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(plane + <usize>(r * stride))), i16x8.splat(128)));
  }
  // forward DCT: rows (pass 1 on the transposed block), then columns
  transpose(blk, tmp);
  fdct1d<Pass1>(tmp);
  transpose(tmp, blk);
  fdct1d<Pass2>(blk);
  // quantise as jcdctmgr.c (the SIMD form: |x| + corr, high half of * recip, high half of * scale, sign back), dequantise
  const div = divisors + <usize>t * 384;
  const dq = dequant + <usize>t * 128;
  const d32 = divisors32 + <usize>t * 512;
  // first whether every AC coefficient quantises to 0 (a < its threshold), the common case
  // at low qualities: then only the DC is quantised, and jidctint.c's shortcuts are exact:
  // every sample is ((dc << PASS1_BITS) + 16) >> 5, + 128, clamped
  const th = thresholds + <usize>t * 128;
  let zero = i16x8.splat(-1);
  for (let i: usize = 0; i < 128; i += 16) {
    const a = i16x8.add(i16x8.abs(v128.load(blk + i)), v128.load(div + 128 + i));
    const below = i16x8.lt_s(a, v128.load(th + i));
    zero = v128.and(zero, i == 0 ? i16x8.replace_lane(below, 0, -1) : below);
  }
  if (i16x8.all_true(zero)) {
    const x = <i32>load<i16>(blk);
    const q = <i32>quantised(<u32>((x < 0 ? -x : x) + <i32>load<u16>(div + 128)) & 0xffff, <u32>load<u16>(div), <u32>load<u16>(div + 256));
    const dc = <i32>(<i16>((x < 0 ? -q : q) * <i32>load<i16>(dq)));
    const v = ((dc << PASS1_BITS) + 16) >> 5;
    const row = i8x16.splat(<u8>(v < -128 ? 0 : v > 127 ? 255 : v + 128));
    for (let r = 0; r < 8; r++) v128.store64_lane(plane + <usize>(r * stride), row, 0);
    return;
  }
  for (let i: usize = 0; i < 128; i += 16) {
    const x = v128.load(blk + i);
    const sign = i16x8.shr_s(x, 15);
    const a = i16x8.add(i16x8.abs(x), v128.load(div + 128 + i));
    const m = d32 + (i << 1);
    const q = mulhiU16(mulhiU16(a, v128.load(m), v128.load(m, 16)), v128.load(m, 256), v128.load(m, 272));
    v128.store(blk + i, i16x8.mul(i16x8.sub(v128.xor(q, sign), sign), v128.load(dq + i)));
  }
  // inverse DCT: columns (pass 1 on the block), then rows (pass 2 on the transposed block)
  idct1d<Pass1>(blk);
  transpose(blk, tmp);
  idct1d<Pass2>(tmp);
  transpose(tmp, blk);
  // the SIMD code's final packs: saturate to -128..127, then + 128
  for (let r = 0; r < 8; r++) {
    const s = i8x16.narrow_i16x8_s(v128.load(blk + (<usize>r << 4)), i16x8.splat(0));
    v128.store64_lane(plane + <usize>(r * stride), i8x16.add(s, i8x16.splat(-128)), 0);
  }
}

/**
 * Y, Cb, Cr of one 4-pixel group from its pairs rg = (R, G) and gb = (G, B) as int16 lanes:
 * Y = (19595 R + 22086 G) + (16384 G + 7471 B) + 32768, Cb = (-11059 R - 21709 G) + 2^15 B
 * + 2^23 + 32767, Cr = (-27439 G - 5329 B) + 2^15 R + 2^23 + 32767, each >> 16. As int32
 * lanes, rg holds R + 2^16 G and gb holds G + 2^16 B, so 2^15 R is (rg << 15) with bits
 * 15..30 kept and 2^15 B is (gb >> 1) with bits 15..31 kept.
 */
function luma4(rg: v128, gb: v128): v128 {
  const sum = i32x4.add(i32x4.dot_i16x8_s(rg, pair(19595, 22086)), i32x4.dot_i16x8_s(gb, pair(16384, 7471)));
  return i32x4.shr_u(i32x4.add(sum, i32x4.splat(32768)), 16);
}

function cb4(rg: v128, gb: v128): v128 {
  const b15 = v128.and(i32x4.shr_u(gb, 1), i32x4.splat(<i32>0xffff8000));
  const sum = i32x4.add(i32x4.dot_i16x8_s(rg, pair(-11059, -21709)), b15);
  return i32x4.shr_u(i32x4.add(sum, i32x4.splat((128 << 16) + 32767)), 16);
}

function cr4(rg: v128, gb: v128): v128 {
  const r15 = v128.and(i32x4.shl(rg, 15), i32x4.splat(0x7fff8000));
  const sum = i32x4.add(i32x4.dot_i16x8_s(gb, pair(-27439, -5329)), r15);
  return i32x4.shr_u(i32x4.add(sum, i32x4.splat((128 << 16) + 32767)), 16);
}

/** Four groups of int32 lanes (each < 256) as 16 bytes. */
function bytes16(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d));
}

/** RGB -> Y, Cb, Cr of 16 pixels at s into y, cb, cr (jccolor.c's arithmetic, see luma4). */
function rgbToYcc16(s: usize, y: usize, cb: usize, cr: usize): void {
  // each 4-pixel group as bytes R0 G0 R1 G1 R2 G2 R3 G3 | G0 B0 G1 B1 G2 B2 G3 B3 (the last group is at byte 4 of its load)
  const a = i8x16.shuffle(v128.load(s), v128.load(s), 0, 1, 3, 4, 6, 7, 9, 10, 1, 2, 4, 5, 7, 8, 10, 11);
  const b = i8x16.shuffle(v128.load(s, 12), v128.load(s, 12), 0, 1, 3, 4, 6, 7, 9, 10, 1, 2, 4, 5, 7, 8, 10, 11);
  const c = i8x16.shuffle(v128.load(s, 24), v128.load(s, 24), 0, 1, 3, 4, 6, 7, 9, 10, 1, 2, 4, 5, 7, 8, 10, 11);
  const e = i8x16.shuffle(v128.load(s, 32), v128.load(s, 32), 4, 5, 7, 8, 10, 11, 13, 14, 5, 6, 8, 9, 11, 12, 14, 15);
  const rga = i16x8.extend_low_i8x16_u(a);
  const gba = i16x8.extend_high_i8x16_u(a);
  const rgb_ = i16x8.extend_low_i8x16_u(b);
  const gbb = i16x8.extend_high_i8x16_u(b);
  const rgc = i16x8.extend_low_i8x16_u(c);
  const gbc = i16x8.extend_high_i8x16_u(c);
  const rge = i16x8.extend_low_i8x16_u(e);
  const gbe = i16x8.extend_high_i8x16_u(e);
  v128.store(y, bytes16(luma4(rga, gba), luma4(rgb_, gbb), luma4(rgc, gbc), luma4(rge, gbe)));
  v128.store(cb, bytes16(cb4(rga, gba), cb4(rgb_, gbb), cb4(rgc, gbc), cb4(rge, gbe)));
  v128.store(cr, bytes16(cr4(rga, gba), cr4(rgb_, gbb), cr4(rgc, gbc), cr4(rge, gbe)));
}

/**
 * (lo, hi) of x * k1 + y * k2 + (1 << 15) as int32 lanes for the int16 lanes x, y: one
 * dot product per half of the interleaved pairs (x, y) with (k1, k2); the rounding constant
 * rides along as a pair (x, 2) . (k, 2^14) where a term has no second operand.
 */
function dot2(x: v128, y: v128, k1: i32, k2: i32): v128 {
  return i32x4.dot_i16x8_s(lo16(x, y), pair(k1, k2));
}
function dot2h(x: v128, y: v128, k1: i32, k2: i32): v128 {
  return i32x4.dot_i16x8_s(hi16(x, y), pair(k1, k2));
}

/** int16 lanes of the int32 halves lo, hi >> 16 (every value fits). */
function high16(lo: v128, hi: v128): v128 {
  return i16x8.narrow_i32x4_s(i32x4.shr_s(lo, 16), i32x4.shr_s(hi, 16));
}

/**
 * YCbCr rows (bytes) of n pixels to interleaved RGB at d, clamped (jdcolor.c ycc_rgb_convert);
 * 8 pixels per step. jdcolor.c's table entries are (x K + 2^15) >> 16 for K = FIX(1.402) = 91881,
 * FIX(1.772) = 116130 and the green sum -FIX(0.34414) u - FIX(0.71414) v + 2^15; split as
 * libjpeg-turbo's SIMD code does so every coefficient fits int16 (the multiples of 2^16 leave
 * the shift exactly): 91881 x = 2^16 x + 26345 x, 116130 x = 2^17 x - 14942 x,
 * -46802 v = -2^16 v + 18734 v. The 2^15 is the pair (2, 2^14).
 */
function yccRowToRgb(yr: usize, ur: usize, vr: usize, d: usize, n: i32): void {
  let x = 0;
  const two = i16x8.splat(2);
  for (; x + 8 <= n; x += 8) {
    const y = i16x8.extend_low_i8x16_u(v128.load64_zero(yr + x));
    const u = i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(ur + x)), i16x8.splat(128));
    const v = i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(vr + x)), i16x8.splat(128));
    const r = i16x8.add(i16x8.add(y, v), high16(dot2(v, two, 26345, 16384), dot2h(v, two, 26345, 16384)));
    const b = i16x8.add(i16x8.add(y, i16x8.shl(u, 1)), high16(dot2(u, two, -14942, 16384), dot2h(u, two, -14942, 16384)));
    const uv = i16x8.sub(high16(i32x4.add(dot2(u, v, -22554, 18734), i32x4.splat(32768)), i32x4.add(dot2h(u, v, -22554, 18734), i32x4.splat(32768))), v);
    const g = i16x8.add(y, uv);
    // y + offset is within -180 .. 435: int16, then clamped to 0..255 by the unsigned narrowing
    const rg = i8x16.narrow_i16x8_u(r, g); // r0..r7 g0..g7
    const bb = i8x16.narrow_i16x8_u(b, i16x8.splat(0));
    const o = d + x * 3;
    v128.store(o, i8x16.shuffle(rg, bb, 0, 8, 16, 1, 9, 17, 2, 10, 18, 3, 11, 19, 4, 12, 20, 5));
    v128.store64_lane(o + 16, i8x16.shuffle(rg, bb, 13, 21, 6, 14, 22, 7, 15, 23, 0, 0, 0, 0, 0, 0, 0, 0), 0);
  }
  for (; x < n; x++) {
    const yy = <i32>load<u8>(yr + x);
    const u = <i32>load<u8>(ur + x) - 128;
    const v = <i32>load<u8>(vr + x) - 128;
    const r = yy + ((91881 * v + 32768) >> 16);
    const g = yy + ((-22554 * u + 32768 + -46802 * v) >> 16);
    const b = yy + ((116130 * u + 32768) >> 16);
    store<u8>(d + x * 3, <u8>(r < 0 ? 0 : r > 255 ? 255 : r));
    store<u8>(d + x * 3, <u8>(g < 0 ? 0 : g > 255 ? 255 : g), 1);
    store<u8>(d + x * 3, <u8>(b < 0 ? 0 : b > 255 ? 255 : b), 2);
  }
}

/** Row y of src (width RGB pixels) as Y, Cb, Cr bytes at y, cb, cr, the right edge repeated up to fw. */
function convertRow(s: usize, width: i32, fw: i32, Y: usize, Cb: usize, Cr: usize): void {
  let x = 0;
  for (; x + 16 <= width; x += 16) rgbToYcc16(s + x * 3, Y + x, Cb + x, Cr + x);
  for (; x < width; x++) {
    const r = <i32>load<u8>(s + x * 3);
    const g = <i32>load<u8>(s + x * 3, 1);
    const b = <i32>load<u8>(s + x * 3, 2);
    store<u8>(Y + x, <u8>((19595 * r + 38470 * g + 7471 * b + 32768) >> 16));
    store<u8>(Cb + x, <u8>((-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32767) >> 16));
    store<u8>(Cr + x, <u8>((32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32767) >> 16));
  }
  for (let x = width; x < fw; x++) {
    store<u8>(Y + x, load<u8>(Y + width - 1));
    store<u8>(Cb + x, load<u8>(Cb + width - 1));
    store<u8>(Cr + x, load<u8>(Cr + width - 1));
  }
}

/** One chroma row (pw samples, pw a multiple of 8) from full-resolution rows a and b: the 2x2 sum, bias 1, 2, 1, 2 ..., >> 2. */
function downsampleRow(a: usize, b: usize, out: usize, pw: i32): void {
  const bias = i16x8.shuffle(i16x8.splat(1), i16x8.splat(2), 0, 8, 1, 9, 2, 10, 3, 11);
  for (let c = 0; c < pw; c += 8) {
    const i = <usize>(2 * c);
    const sum = i16x8.add(i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(a + i)), i16x8.extadd_pairwise_i8x16_u(v128.load(b + i))), bias);
    v128.store64_lane(out + c, i8x16.narrow_i16x8_u(i16x8.shr_u(sum, 2), i16x8.splat(0)), 0);
  }
}

/**
 * dst = the JPEG round trip of src (width x height RGB) with the tables set by
 * jpegTables(). Streams one MCU row (16 image rows) at a time, so the working set stays in
 * the caches: colour conversion of its rows (rows past the bottom repeat the last one),
 * downsampling into the chroma planes, the round trip of its blocks, and the output of the
 * previous MCU row, whose upsampling needs the first chroma row of this one. Scratch is
 * allocated here.
 */
export function jpegRoundTrip(src: usize, dst: usize, width: i32, height: i32): void {
  const mcus = (width + 15) >> 4; // MCUs across = chroma blocks across
  const mcuRows = (height + 15) >> 4;
  const fw = 16 * mcus; // full-resolution row length, whole MCUs
  const cw = (width + 1) >> 1; // chroma size (downsampled_width / height)
  const ch = (height + 1) >> 1;
  const pw = 8 * mcus; // chroma plane size, whole blocks
  const ph = 8 * mcuRows;
  const bw = (width + 7) >> 3; // luma blocks that hold image pixels
  const bh = (height + 7) >> 3;
  const Y = alloc(<usize>(32 * fw) + 16); // two MCU rows of luma, a ring
  const Cb = alloc(<usize>(16 * fw) + 16); // one MCU row of full-resolution chroma
  const Cr = alloc(<usize>(16 * fw) + 16);
  const cb = alloc(<usize>(pw * ph) + 16);
  const cr = alloc(<usize>(pw * ph) + 16);
  const sums = alloc(<usize>(cw + 2 + 8) << 1);
  for (let m = 0; m <= mcuRows; m++) {
    if (m < mcuRows) {
      const ym = Y + <usize>((m & 1) * 16 * fw);
      for (let k = 0; k < 16; k++) {
        const y = 16 * m + k;
        const o = <usize>(k * fw);
        if (y < height) convertRow(src + <usize>(y * width * 3), width, fw, ym + o, Cb + o, Cr + o);
        else {
          // below the image: the last row again
          const last = <usize>((height - 1 - 16 * m) * fw);
          memory.copy(ym + o, ym + last, <usize>fw);
          memory.copy(Cb + o, Cb + last, <usize>fw);
          memory.copy(Cr + o, Cr + last, <usize>fw);
        }
      }
      for (let k = 0; k < 8; k++) {
        const r = 8 * m + k;
        const o = <usize>(r * pw);
        if (r < ch) {
          downsampleRow(Cb + <usize>(2 * k * fw), Cb + <usize>((2 * k + 1) * fw), cb + o, pw);
          downsampleRow(Cr + <usize>(2 * k * fw), Cr + <usize>((2 * k + 1) * fw), cr + o, pw);
        } else {
          memory.copy(cb + o, cb + <usize>((ch - 1) * pw), <usize>pw);
          memory.copy(cr + o, cr + <usize>((ch - 1) * pw), <usize>pw);
        }
      }
      for (let k = 0; k < 2; k++) {
        if (2 * m + k >= bh) break;
        const row = ym + <usize>(k * 8 * fw);
        for (let bx = 0; bx < bw; bx++) roundTripBlock(row + <usize>(bx * 8), fw, 0);
      }
      for (let bx = 0; bx < mcus; bx++) {
        roundTripBlock(cb + <usize>(m * 8 * pw + bx * 8), pw, 1);
        roundTripBlock(cr + <usize>(m * 8 * pw + bx * 8), pw, 1);
      }
    }
    // the previous MCU row: its chroma context (one row below) is decoded now
    if (m > 0) {
      const ym = Y + <usize>(((m - 1) & 1) * 16 * fw);
      const uRow = Cb; // free until the next MCU row is converted
      const vRow = Cr;
      for (let k = 0; k < 16; k++) {
        const y = 16 * (m - 1) + k;
        if (y >= height) break;
        upsampleRow(cb, pw, cw, ch, y, uRow, width, sums);
        upsampleRow(cr, pw, cw, ch, y, vRow, width, sums);
        yccRowToRgb(ym + <usize>(k * fw), uRow, vRow, dst + <usize>(y * width * 3), width);
      }
    }
  }
}

/**
 * jdsample.c: output row y (its first `width` samples, into out) of the chroma plane c
 * (stride cs, real size cw x ch): h2v2_fancy_upsample when cw > 2 (triangle filter: column
 * sums 3 near + far, then (3 this + last + 8) >> 4 and (3 this + next + 7) >> 4, the edge
 * sums repeated), else h2v2_upsample (replication). sums: cw + 2 int16 of scratch.
 */
function upsampleRow(c: usize, cs: i32, cw: i32, ch: i32, y: i32, out: usize, width: i32, sums: usize): void {
  const r = y >> 1;
  const near = c + <usize>(r * cs);
  if (cw <= 2) {
    for (let x = 0; x < width; x++) store<u8>(out + x, load<u8>(near + (x >> 1)));
    return;
  }
  // the further row: above for even output rows, below for odd ones, edges repeated
  const fr = y & 1 ? (r + 1 < ch ? r + 1 : ch - 1) : r > 0 ? r - 1 : 0;
  const far = c + <usize>(fr * cs);
  // sums[1 + k] = 3 near[k] + far[k]; sums[0] and sums[cw + 1] repeat the edges
  const s = sums + 2;
  let k = 0;
  for (; k + 8 <= cw; k += 8) {
    const n = i16x8.extend_low_i8x16_u(v128.load64_zero(near + k));
    const f = i16x8.extend_low_i8x16_u(v128.load64_zero(far + k));
    v128.store(s + (<usize>k << 1), i16x8.add(i16x8.mul(n, i16x8.splat(3)), f));
  }
  for (; k < cw; k++) store<i16>(s + (<usize>k << 1), <i16>(<i32>load<u8>(near + k) * 3 + <i32>load<u8>(far + k)));
  store<i16>(sums, load<i16>(s));
  store<i16>(s + (<usize>cw << 1), load<i16>(s + (<usize>(cw - 1) << 1)));
  let col = 0;
  for (; col + 8 <= cw && 2 * col + 16 <= width; col += 8) {
    const p = s + (<usize>col << 1);
    const thisSum = v128.load(p);
    const last = v128.load(p - 2);
    const next = v128.load(p + 2);
    const three = i16x8.mul(thisSum, i16x8.splat(3));
    const even = i16x8.shr_u(i16x8.add(i16x8.add(three, last), i16x8.splat(8)), 4);
    const odd = i16x8.shr_u(i16x8.add(i16x8.add(three, next), i16x8.splat(7)), 4);
    v128.store(out + 2 * col, i8x16.narrow_i16x8_u(i16x16Interleave(even, odd, false), i16x16Interleave(even, odd, true)));
  }
  for (; col < cw; col++) {
    const t = <i32>load<i16>(s + (<usize>col << 1));
    const x = 2 * col;
    if (x < width) store<u8>(out + x, <u8>((t * 3 + <i32>load<i16>(s + (<usize>(col - 1) << 1)) + 8) >> 4));
    if (x + 1 < width) store<u8>(out + x + 1, <u8>((t * 3 + <i32>load<i16>(s + (<usize>(col + 1) << 1)) + 7) >> 4));
  }
}

/** Lanes e0 o0 e1 o1 ... (low half: pairs 0-3, high half: pairs 4-7) of int16 vectors even, odd. */
function i16x16Interleave(even: v128, odd: v128, high: bool): v128 {
  return high ? i16x8.shuffle(even, odd, 4, 12, 5, 13, 6, 14, 7, 15) : i16x8.shuffle(even, odd, 0, 8, 1, 9, 2, 10, 3, 11);
}
