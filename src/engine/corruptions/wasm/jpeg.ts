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
 * All integer arithmetic, exact in 32-bit lanes (libjpeg documents that its ISLOW
 * intermediates fit in 32 bits for 8-bit samples), so vectorising changes nothing. The
 * block transforms run on four or eight rows (or columns) at a time in i32x4 lanes.
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

// the 8x8 block being transformed: 64 int32, row-major; and a transposed copy
const blk: usize = memory.data(256, 16);
const tmp: usize = memory.data(256, 16);
// per component: reciprocal, correction, scale, shift (jcdctmgr.c's four tables), and the dequantisation table
const divisors: usize = memory.data(2 * 4 * 256, 16);
const dequant: usize = memory.data(2 * 256, 16);

function splat(x: i32): v128 {
  return i32x4.splat(x);
}

function descale(x: v128, n: i32): v128 {
  return i32x4.shr_s(i32x4.add(x, splat(1 << (n - 1))), n);
}

/** dst = transpose of the 8x8 int32 block at src. */
function transpose(src: usize, dst: usize): void {
  for (let bi = 0; bi < 2; bi++) {
    for (let bj = 0; bj < 2; bj++) {
      // 4x4 sub-block (rows 4 bi.., cols 4 bj..) -> (rows 4 bj.., cols 4 bi..)
      const s = src + (<usize>(bi * 32 + bj * 4) << 2);
      const r0 = v128.load(s);
      const r1 = v128.load(s, 32);
      const r2 = v128.load(s, 64);
      const r3 = v128.load(s, 96);
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const d = dst + (<usize>(bj * 32 + bi * 4) << 2);
      v128.store(d, i64x2.shuffle(t0, t2, 0, 2));
      v128.store(d, i64x2.shuffle(t0, t2, 1, 3), 32);
      v128.store(d, i64x2.shuffle(t1, t3, 0, 2), 64);
      v128.store(d, i64x2.shuffle(t1, t3, 1, 3), 96);
    }
  }
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
 * One 1-D forward DCT over the 8 rows of p (row k = input k, 8 lanes as two vectors):
 * jfdctint.c pass 1 (outputs << PASS1_BITS or descaled by CONST_BITS - PASS1_BITS) or
 * pass 2 (descaled by PASS1_BITS or CONST_BITS + PASS1_BITS).
 */
function fdct1d<P>(p: usize): void {
  const pass2 = sizeof<P>() == 8;
  for (let h: usize = 0; h < 32; h += 16) {
    const x0 = v128.load(p + h);
    const x1 = v128.load(p + h, 32);
    const x2 = v128.load(p + h, 64);
    const x3 = v128.load(p + h, 96);
    const x4 = v128.load(p + h, 128);
    const x5 = v128.load(p + h, 160);
    const x6 = v128.load(p + h, 192);
    const x7 = v128.load(p + h, 224);
    const tmp0 = i32x4.add(x0, x7);
    let tmp7 = i32x4.sub(x0, x7);
    const tmp1 = i32x4.add(x1, x6);
    let tmp6 = i32x4.sub(x1, x6);
    const tmp2 = i32x4.add(x2, x5);
    let tmp5 = i32x4.sub(x2, x5);
    const tmp3 = i32x4.add(x3, x4);
    let tmp4 = i32x4.sub(x3, x4);
    const tmp10 = i32x4.add(tmp0, tmp3);
    const tmp13 = i32x4.sub(tmp0, tmp3);
    const tmp11 = i32x4.add(tmp1, tmp2);
    const tmp12 = i32x4.sub(tmp1, tmp2);
    const n = pass2 ? CONST_BITS + PASS1_BITS : CONST_BITS - PASS1_BITS;
    if (pass2) {
      v128.store(p + h, descale(i32x4.add(tmp10, tmp11), PASS1_BITS));
      v128.store(p + h, descale(i32x4.sub(tmp10, tmp11), PASS1_BITS), 128);
    } else {
      v128.store(p + h, i32x4.shl(i32x4.add(tmp10, tmp11), PASS1_BITS));
      v128.store(p + h, i32x4.shl(i32x4.sub(tmp10, tmp11), PASS1_BITS), 128);
    }
    let z1 = i32x4.mul(i32x4.add(tmp12, tmp13), splat(F_0_541196100));
    v128.store(p + h, descale(i32x4.add(z1, i32x4.mul(tmp13, splat(F_0_765366865))), n), 64);
    v128.store(p + h, descale(i32x4.add(z1, i32x4.mul(tmp12, splat(-F_1_847759065))), n), 192);
    z1 = i32x4.add(tmp4, tmp7);
    let z2 = i32x4.add(tmp5, tmp6);
    let z3 = i32x4.add(tmp4, tmp6);
    let z4 = i32x4.add(tmp5, tmp7);
    const z5 = i32x4.mul(i32x4.add(z3, z4), splat(F_1_175875602));
    tmp4 = i32x4.mul(tmp4, splat(F_0_298631336));
    tmp5 = i32x4.mul(tmp5, splat(F_2_053119869));
    tmp6 = i32x4.mul(tmp6, splat(F_3_072711026));
    tmp7 = i32x4.mul(tmp7, splat(F_1_501321110));
    z1 = i32x4.mul(z1, splat(-F_0_899976223));
    z2 = i32x4.mul(z2, splat(-F_2_562915447));
    z3 = i32x4.add(i32x4.mul(z3, splat(-F_1_961570560)), z5);
    z4 = i32x4.add(i32x4.mul(z4, splat(-F_0_390180644)), z5);
    v128.store(p + h, descale(i32x4.add(i32x4.add(tmp4, z1), z3), n), 224);
    v128.store(p + h, descale(i32x4.add(i32x4.add(tmp5, z2), z4), n), 160);
    v128.store(p + h, descale(i32x4.add(i32x4.add(tmp6, z2), z3), n), 96);
    v128.store(p + h, descale(i32x4.add(i32x4.add(tmp7, z1), z4), n), 32);
  }
}

/**
 * One 1-D inverse DCT over the 8 rows of p: jidctint.c pass 1 (descale by CONST_BITS -
 * PASS1_BITS) or pass 2 (by CONST_BITS + PASS1_BITS + 3). The all-zero-AC shortcuts of
 * the C code give the same values as the full computation, so there are none here.
 */
function idct1d<P>(p: usize): void {
  const pass2 = sizeof<P>() == 8;
  const n = pass2 ? CONST_BITS + PASS1_BITS + 3 : CONST_BITS - PASS1_BITS;
  for (let h: usize = 0; h < 32; h += 16) {
    let z2 = v128.load(p + h, 64);
    let z3 = v128.load(p + h, 192);
    let z1 = i32x4.mul(i32x4.add(z2, z3), splat(F_0_541196100));
    let tmp2 = i32x4.add(z1, i32x4.mul(z3, splat(-F_1_847759065)));
    let tmp3 = i32x4.add(z1, i32x4.mul(z2, splat(F_0_765366865)));
    z2 = v128.load(p + h);
    z3 = v128.load(p + h, 128);
    let tmp0 = i32x4.shl(i32x4.add(z2, z3), CONST_BITS);
    let tmp1 = i32x4.shl(i32x4.sub(z2, z3), CONST_BITS);
    const tmp10 = i32x4.add(tmp0, tmp3);
    const tmp13 = i32x4.sub(tmp0, tmp3);
    const tmp11 = i32x4.add(tmp1, tmp2);
    const tmp12 = i32x4.sub(tmp1, tmp2);
    tmp0 = v128.load(p + h, 224);
    tmp1 = v128.load(p + h, 160);
    tmp2 = v128.load(p + h, 96);
    tmp3 = v128.load(p + h, 32);
    z1 = i32x4.add(tmp0, tmp3);
    z2 = i32x4.add(tmp1, tmp2);
    z3 = i32x4.add(tmp0, tmp2);
    let z4 = i32x4.add(tmp1, tmp3);
    const z5 = i32x4.mul(i32x4.add(z3, z4), splat(F_1_175875602));
    tmp0 = i32x4.mul(tmp0, splat(F_0_298631336));
    tmp1 = i32x4.mul(tmp1, splat(F_2_053119869));
    tmp2 = i32x4.mul(tmp2, splat(F_3_072711026));
    tmp3 = i32x4.mul(tmp3, splat(F_1_501321110));
    z1 = i32x4.mul(z1, splat(-F_0_899976223));
    z2 = i32x4.mul(z2, splat(-F_2_562915447));
    z3 = i32x4.add(i32x4.mul(z3, splat(-F_1_961570560)), z5);
    z4 = i32x4.add(i32x4.mul(z4, splat(-F_0_390180644)), z5);
    tmp0 = i32x4.add(tmp0, i32x4.add(z1, z3));
    tmp1 = i32x4.add(tmp1, i32x4.add(z2, z4));
    tmp2 = i32x4.add(tmp2, i32x4.add(z2, z3));
    tmp3 = i32x4.add(tmp3, i32x4.add(z1, z4));
    v128.store(p + h, descale(i32x4.add(tmp10, tmp3), n));
    v128.store(p + h, descale(i32x4.sub(tmp10, tmp3), n), 224);
    v128.store(p + h, descale(i32x4.add(tmp11, tmp2), n), 32);
    v128.store(p + h, descale(i32x4.sub(tmp11, tmp2), n), 192);
    v128.store(p + h, descale(i32x4.add(tmp12, tmp1), n), 64);
    v128.store(p + h, descale(i32x4.sub(tmp12, tmp1), n), 160);
    v128.store(p + h, descale(i32x4.add(tmp13, tmp0), n), 96);
    v128.store(p + h, descale(i32x4.sub(tmp13, tmp0), n), 128);
  }
}

/** jcdctmgr.c compute_reciprocal for a 16-bit DCTELEM: the four table entries of divisor d at i. */
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
  const o = <usize>i << 2;
  store<i32>(tbl + o, <i32>(fq & 0xffff));
  store<i32>(tbl + 256 + o, <i32>c);
  store<i32>(tbl + 512 + o, 1 << (32 - r));
  store<i32>(tbl + 768 + o, r - 16);
}

/** Quality tables (64 values each, natural order) for luma and chroma. */
export function jpegTables(luma: usize, chroma: usize): void {
  for (let t = 0; t < 2; t++) {
    const q = t == 0 ? luma : chroma;
    for (let i = 0; i < 64; i++) {
      const v = load<i32>(q + (<usize>i << 2));
      computeReciprocal(<u32>(v << 3), divisors + <usize>t * 1024, i);
      store<i32>(dequant + <usize>t * 256 + (<usize>i << 2), v);
    }
  }
}

/** The lossy round trip of the 8x8 block at plane (row stride `stride`), in place; table t: 0 luma, 1 chroma. */
function roundTripBlock(plane: usize, stride: i32, t: i32): void {
  // samples - 128 into blk (row-major)
  for (let r = 0; r < 8; r++) {
    const w = v128.load64_zero(plane + <usize>(r * stride));
    const s = i16x8.sub(i16x8.extend_low_i8x16_u(w), i16x8.splat(128));
    v128.store(blk + (<usize>r << 5), i32x4.extend_low_i16x8_s(s));
    v128.store(blk + (<usize>r << 5), i32x4.extend_high_i16x8_s(s), 16);
  }
  // forward DCT: rows (pass 1 on the transposed block), then columns
  transpose(blk, tmp);
  fdct1d<Pass1>(tmp);
  transpose(tmp, blk);
  fdct1d<Pass2>(blk);
  // quantise (reciprocal method), dequantise; note whether any AC coefficient survives
  const div = divisors + <usize>t * 1024;
  const dq = dequant + <usize>t * 256;
  let ac = i32x4.splat(0);
  for (let i: usize = 0; i < 256; i += 16) {
    const x = v128.load(blk + i);
    const neg = i32x4.lt_s(x, splat(0));
    const a = i32x4.add(i32x4.abs(x), v128.load(div + 256 + i));
    const product = i32x4.mul(a, v128.load(div + i)); // < 2^32: unsigned
    const q = i32x4.shr_u(i32x4.mul(i32x4.shr_u(product, 16), v128.load(div + 512 + i)), 16);
    ac = v128.or(ac, i == 0 ? i32x4.replace_lane(q, 0, 0) : q);
    v128.store(blk + i, i32x4.mul(v128.bitselect(i32x4.neg(q), q, neg), v128.load(dq + i)));
  }
  if (!v128.any_true(ac)) {
    // DC only: jidctint.c's shortcuts are exact, every sample is ((dc << PASS1_BITS) + 16) >> 5, + 128, clamped
    const v = ((load<i32>(blk) << PASS1_BITS) + 16) >> 5;
    const sample = <u8>(v < -128 ? 0 : v > 127 ? 255 : v + 128);
    const row = i8x16.splat(sample);
    for (let r = 0; r < 8; r++) v128.store64_lane(plane + <usize>(r * stride), row, 0);
    return;
  }
  // inverse DCT: columns (pass 1 on the block), then rows (pass 2 on the transposed block)
  idct1d<Pass1>(blk);
  transpose(blk, tmp);
  idct1d<Pass2>(tmp);
  transpose(tmp, blk);
  // clamp as the SIMD code does: saturate to -128..127, then + 128
  for (let r = 0; r < 8; r++) {
    const lo = v128.load(blk + (<usize>r << 5));
    const hi = v128.load(blk + (<usize>r << 5), 16);
    const s = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(lo, hi), i16x8.splat(0));
    v128.store64_lane(plane + <usize>(r * stride), i8x16.add(s, i8x16.splat(-128)), 0);
  }
}

/** RGB -> Y, Cb, Cr of 16 pixels at s into y, cb, cr (jccolor.c's arithmetic, in u32 lanes: every sum is >= 0). */
function rgbToYcc16(s: usize, y: usize, cb: usize, cr: usize): void {
  const v0 = v128.load(s);
  const v1 = v128.load(s, 16);
  const v2 = v128.load(s, 32);
  const r = i8x16.shuffle(i8x16.shuffle(v0, v1, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0), v2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 20, 23, 26, 29);
  const g = i8x16.shuffle(i8x16.shuffle(v0, v1, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0), v2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 21, 24, 27, 30);
  const b = i8x16.shuffle(i8x16.shuffle(v0, v1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0), v2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 22, 25, 28, 31);
  const r0 = i16x8.extend_low_i8x16_u(r);
  const r1 = i16x8.extend_high_i8x16_u(r);
  const g0 = i16x8.extend_low_i8x16_u(g);
  const g1 = i16x8.extend_high_i8x16_u(g);
  const b0 = i16x8.extend_low_i8x16_u(b);
  const b1 = i16x8.extend_high_i8x16_u(b);
  const cbcr = (128 << 16) + 32767;
  v128.store(y, i8x16.narrow_i16x8_u(weighted8(r0, g0, b0, 19595, 38470, 7471, 32768), weighted8(r1, g1, b1, 19595, 38470, 7471, 32768)));
  v128.store(cb, i8x16.narrow_i16x8_u(weighted8(r0, g0, b0, -11059, -21709, 32768, cbcr), weighted8(r1, g1, b1, -11059, -21709, 32768, cbcr)));
  v128.store(cr, i8x16.narrow_i16x8_u(weighted8(r0, g0, b0, 32768, -27439, -5329, cbcr), weighted8(r1, g1, b1, 32768, -27439, -5329, cbcr)));
}

/** (kr R + kg G + kb B + bias) >> 16 of 8 pixels (int16 lanes in and out; the sums are in 0 .. 2^24, exact in int32). */
function weighted8(r: v128, g: v128, b: v128, kr: i32, kg: i32, kb: i32, bias: i32): v128 {
  const k = i32x4.splat(kr);
  const l = i32x4.splat(kg);
  const m = i32x4.splat(kb);
  const c = i32x4.splat(bias);
  const lo = i32x4.add(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(r), k), i32x4.mul(i32x4.extend_low_i16x8_u(g), l)), i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(b), m), c));
  const hi = i32x4.add(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_u(r), k), i32x4.mul(i32x4.extend_high_i16x8_u(g), l)), i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_u(b), m), c));
  return i16x8.narrow_i32x4_u(i32x4.shr_s(lo, 16), i32x4.shr_s(hi, 16));
}

/** (x * k + 32768) >> 16 of 8 int16 lanes, computed in int32 (jdcolor.c's table entries, RIGHT_SHIFT arithmetic). */
function scaled8(x: v128, k: i32): v128 {
  const kk = i32x4.splat(k);
  const half = i32x4.splat(32768);
  const lo = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_s(x), kk), half), 16);
  const hi = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_s(x), kk), half), 16);
  return i16x8.narrow_i32x4_s(lo, hi);
}

/** ((u * ku + 32768) + v * kv) >> 16 of 8 int16 lanes: jdcolor.c's green term, Cb_g_tab[cb] + Cr_g_tab[cr]. */
function green8(u: v128, v: v128): v128 {
  const ku = i32x4.splat(-22554);
  const kv = i32x4.splat(-46802);
  const half = i32x4.splat(32768);
  const lo = i32x4.add(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_s(u), ku), half), i32x4.mul(i32x4.extend_low_i16x8_s(v), kv));
  const hi = i32x4.add(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_s(u), ku), half), i32x4.mul(i32x4.extend_high_i16x8_s(v), kv));
  return i16x8.narrow_i32x4_s(i32x4.shr_s(lo, 16), i32x4.shr_s(hi, 16));
}

/** YCbCr rows (bytes) of n pixels to interleaved RGB at d, clamped (jdcolor.c ycc_rgb_convert); 8 pixels per step. */
function yccRowToRgb(yr: usize, ur: usize, vr: usize, d: usize, n: i32): void {
  let x = 0;
  for (; x + 8 <= n; x += 8) {
    const y = i16x8.extend_low_i8x16_u(v128.load64_zero(yr + x));
    const u = i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(ur + x)), i16x8.splat(128));
    const v = i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(vr + x)), i16x8.splat(128));
    // y + offset is within -180 .. 435: int16, then clamped to 0..255 by the unsigned narrowing
    const rg = i8x16.narrow_i16x8_u(i16x8.add(y, scaled8(v, 91881)), i16x8.add(y, green8(u, v))); // r0..r7 g0..g7
    const bb = i8x16.narrow_i16x8_u(i16x8.add(y, scaled8(u, 116130)), i16x8.splat(0));
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

/**
 * dst = the JPEG round trip of src (width x height RGB) with the tables set by
 * jpegTables(). Scratch is allocated here: the luma plane and the full-resolution chroma
 * planes (whole MCUs), the chroma planes (whole blocks), and row buffers.
 */
export function jpegRoundTrip(src: usize, dst: usize, width: i32, height: i32): void {
  const cbw = (width + 15) >> 4; // chroma blocks across = MCUs across
  const cbh = (height + 15) >> 4;
  const fw = 16 * cbw; // full-resolution plane size, whole MCUs
  const fh = 16 * cbh;
  const cw = (width + 1) >> 1; // chroma size (downsampled_width / height)
  const ch = (height + 1) >> 1;
  const pw = 8 * cbw; // chroma plane size, whole blocks
  const ph = 8 * cbh;
  const Y = alloc(<usize>(fw * fh) + 16);
  const Cb = alloc(<usize>(fw * fh) + 16);
  const Cr = alloc(<usize>(fw * fh) + 16);
  const cb = alloc(<usize>(pw * ph) + 16);
  const cr = alloc(<usize>(pw * ph) + 16);
  // colour conversion (16 pixels at a time; the last pixels one by one), right edge repeated
  for (let y = 0; y < height; y++) {
    const s = src + <usize>(y * width * 3);
    const o = <usize>(y * fw);
    let x = 0;
    for (; x + 16 <= width; x += 16) rgbToYcc16(s + x * 3, Y + o + x, Cb + o + x, Cr + o + x);
    for (; x < width; x++) {
      const r = <i32>load<u8>(s + x * 3);
      const g = <i32>load<u8>(s + x * 3, 1);
      const b = <i32>load<u8>(s + x * 3, 2);
      store<u8>(Y + o + x, <u8>((19595 * r + 38470 * g + 7471 * b + 32768) >> 16));
      store<u8>(Cb + o + x, <u8>((-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32767) >> 16));
      store<u8>(Cr + o + x, <u8>((32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32767) >> 16));
    }
    for (let x = width; x < fw; x++) {
      store<u8>(Y + o + x, load<u8>(Y + o + width - 1));
      store<u8>(Cb + o + x, load<u8>(Cb + o + width - 1));
      store<u8>(Cr + o + x, load<u8>(Cr + o + width - 1));
    }
  }
  // bottom edge repeated
  for (let y = height; y < fh; y++) {
    memory.copy(Y + <usize>(y * fw), Y + <usize>((height - 1) * fw), <usize>fw);
    memory.copy(Cb + <usize>(y * fw), Cb + <usize>((height - 1) * fw), <usize>fw);
    memory.copy(Cr + <usize>(y * fw), Cr + <usize>((height - 1) * fw), <usize>fw);
  }
  // 4:2:0 downsampling (pw is a multiple of 8: eight outputs per step); rows past the chroma height repeat the last one
  const bias = i16x8.shuffle(i16x8.splat(1), i16x8.splat(2), 0, 8, 1, 9, 2, 10, 3, 11);
  for (let r = 0; r < ch; r++) {
    const a = <usize>(2 * r * fw);
    const b = a + fw;
    const o = <usize>(r * pw);
    for (let c = 0; c < pw; c += 8) {
      const i = <usize>(2 * c);
      const sb = i16x8.add(i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(Cb + a + i)), i16x8.extadd_pairwise_i8x16_u(v128.load(Cb + b + i))), bias);
      const sr = i16x8.add(i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(Cr + a + i)), i16x8.extadd_pairwise_i8x16_u(v128.load(Cr + b + i))), bias);
      v128.store64_lane(cb + o + c, i8x16.narrow_i16x8_u(i16x8.shr_u(sb, 2), i16x8.splat(0)), 0);
      v128.store64_lane(cr + o + c, i8x16.narrow_i16x8_u(i16x8.shr_u(sr, 2), i16x8.splat(0)), 0);
    }
  }
  for (let r = ch; r < ph; r++) {
    memory.copy(cb + <usize>(r * pw), cb + <usize>((ch - 1) * pw), <usize>pw);
    memory.copy(cr + <usize>(r * pw), cr + <usize>((ch - 1) * pw), <usize>pw);
  }
  // the blocks: luma (only those that hold image pixels), then chroma
  const bw = (width + 7) >> 3;
  const bh = (height + 7) >> 3;
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) roundTripBlock(Y + <usize>(by * 8 * fw + bx * 8), fw, 0);
  for (let by = 0; by < cbh; by++) {
    for (let bx = 0; bx < cbw; bx++) {
      roundTripBlock(cb + <usize>(by * 8 * pw + bx * 8), pw, 1);
      roundTripBlock(cr + <usize>(by * 8 * pw + bx * 8), pw, 1);
    }
  }
  // upsampling and colour conversion, row by row (the full-resolution chroma planes are free again)
  const uRow = Cb;
  const vRow = Cr;
  const sums = alloc(<usize>(cw + 2 + 8) << 1);
  for (let y = 0; y < height; y++) {
    upsampleRow(cb, pw, cw, ch, y, uRow, width, sums);
    upsampleRow(cr, pw, cw, ch, y, vRow, width, sums);
    yccRowToRgb(Y + <usize>(y * fw), uRow, vRow, dst + <usize>(y * width * 3), width);
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
