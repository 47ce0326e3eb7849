/**
 * The noise family, bit for bit ../kernels/{gaussian,speckle,shot,impulse}_noise.ts: the
 * same BulkRandom stream (./rng.ts, seeded from JavaScript), the same float64 arithmetic
 * per value, one fused pass (draw, perturb, truncate) instead of chunked buffers; the
 * stream is consumed in the same order, so chunking does not change it.
 *
 * x / 255 is the same double as the JavaScript tables' v / 255 (one correctly rounded
 * division); uint8(clip(v, 0, 1) * 255) truncates.
 */
import { store8Bytes, unit2, unit64, unitByte, unitBytes2 } from './common';
import { fillNormals, nextInt32, uniform53 } from './rng';

const CHUNK: i32 = 4096;
const chunk: usize = memory.data(CHUNK * 8);

/** uint8(clip(x + c n, 0, 1) * 255) (or x + x (c n)) for two values: x at src, n at nrm. */
function noisy2(src: usize, nrm: usize, cv: v128, multiplicative: bool): v128 {
  const x = unit2(src);
  const noise = f64x2.mul(cv, v128.load(nrm));
  return unitBytes2(multiplicative ? f64x2.add(x, f64x2.mul(x, noise)) : f64x2.add(x, noise));
}

/** dst[j] for j < len from the chunk's normals: eight values per step, the rest one by one. */
function applyNormals(src: usize, dst: usize, len: i32, c: f64, multiplicative: bool): void {
  const cv = f64x2.splat(c);
  let j = 0;
  for (; j + 8 <= len; j += 8) {
    const s = src + j;
    const nrm = chunk + (<usize>j << 3);
    store8Bytes(
      dst + j,
      noisy2(s, nrm, cv, multiplicative),
      noisy2(s + 2, nrm + 16, cv, multiplicative),
      noisy2(s + 4, nrm + 32, cv, multiplicative),
      noisy2(s + 6, nrm + 48, cv, multiplicative),
    );
  }
  for (; j < len; j++) {
    const x = unit64(load<u8>(src + j));
    const noise = c * load<f64>(chunk + (<usize>j << 3));
    store<u8>(dst + j, unitByte(multiplicative ? x + x * noise : x + noise));
  }
}

/** gaussian_noise: dst[i] = uint8(clip(x + c N(0, 1), 0, 1) * 255). */
export function gaussianNoise(src: usize, dst: usize, n: i32, c: f64): void {
  for (let start = 0; start < n; start += CHUNK) {
    const len = min(CHUNK, n - start);
    fillNormals(chunk, len);
    applyNormals(src + start, dst + start, len, c, false);
  }
}

/** speckle_noise: dst[i] = uint8(clip(x + x (c N(0, 1)), 0, 1) * 255). */
export function speckleNoise(src: usize, dst: usize, n: i32, c: f64): void {
  for (let start = 0; start < n; start += CHUNK) {
    const len = min(CHUNK, n - start);
    fillNormals(chunk, len);
    applyNormals(src + start, dst + start, len, c, true);
  }
}

/**
 * shot_noise by table inversion (../kernels/shot_noise.ts packedTables, built in
 * JavaScript): k = guide[guideOffset[L] + floor(u * guideSize[L])], then k++ while
 * u >= cdf[k]; dst = outByIndex[k].
 */
export function shotNoise(
  src: usize,
  dst: usize,
  n: i32,
  cdf: usize,
  outByIndex: usize,
  guide: usize,
  guideOffset: usize,
  guideSize: usize,
): void {
  for (let p = 0; p < n; p++) {
    const level = <usize>load<u8>(src + p) << 2;
    const u = uniform53();
    let k = load<i32>(guide + ((<usize>load<i32>(guideOffset + level) + <usize>(<i32>(u * <f64>load<i32>(guideSize + level)))) << 2));
    while (u >= load<f64>(cdf + (<usize>k << 3))) k++;
    store<u8>(dst + p, load<u8>(outByIndex + k));
  }
}

/**
 * impulse_noise: a value is replaced when a 32-bit draw is below c * 2^32; the
 * replacement is 255 if a second draw is negative as int32, else 0. dst holds a copy of
 * src on entry.
 */
export function impulseNoise(dst: usize, n: i32, threshold: f64): void {
  for (let p = 0; p < n; p++) {
    if (<f64>(<u32>nextInt32()) < threshold) store<u8>(dst + p, nextInt32() < 0 ? 255 : 0);
  }
}
