/**
 * scipy.ndimage.gaussian_filter as a row stream, bit for bit ../common/gaussian.ts
 * (GaussianRowStream): axis 0 first, then axis 1, on interleaved images of `channels`
 * values per pixel (the channel axis is not filtered), weights supplied by JavaScript
 * (gaussianKernel1d: the same doubles), scipy's summation order per value
 *   t = x[0] w[0]; t += (x[-j] + x[j]) w[j] for j = r down to 1
 * and its border modes. With `float32`, each executed pass's output is rounded to
 * float32 (scipy on a float32 input).
 *
 * Vectorisation: both passes are the same 1-D recurrence over the flat row (consecutive
 * values are independent outputs: neighbouring pixels and channels), so f64x2 lanes run
 * it on two values at once, eight values (four vectors) per step; every lane performs
 * exactly the scalar operations, in the same order, so the results are the same doubles.
 *
 * One stream at a time (module state): gaussianStart(), then gaussianNext() once per
 * output row in order. Sources: a float64 image read in place, or bytes converted per row
 * (v / 255 or v) into a ring of 2 r + 1 rows.
 */
import { alloc } from './arena';
import { borderIndex, unit64 } from './common';

/** float64 image, rows read in place */
export const SRC_F64: i32 = 0;
/** 8-bit image, as v / 255 (the reference's x / 255.) */
export const SRC_UNIT_U8: i32 = 1;
/** 8-bit image, as the values themselves */
export const SRC_U8: i32 = 2;

let W: i32 = 0;
let H: i32 = 0;
let C: i32 = 0;
let rowLen: i32 = 0;
let ry: i32 = 0;
let rx: i32 = 0;
let wy: usize = 0;
let wx: usize = 0;
let mode: i32 = 0;
let round32: bool = false;
let srcKind: i32 = 0;
let src: usize = 0;
let ring: usize = 0;
let ringRows: i32 = 0;
let generated: i32 = 0;
let rows: usize = 0;
let vrow: usize = 0;
let line: usize = 0;
let hrow: usize = 0;
let padIdx: usize = 0;
let nextY: i32 = 0;

/**
 * Starts a stream over a width x height x channels source. weightsY / weightsX point to
 * 2 r + 1 float64 weights, or are 0 to skip the axis (scipy skips sigma <= 1e-15).
 */
export function gaussianStart(
  width: i32,
  height: i32,
  channels: i32,
  weightsY: usize,
  radiusY: i32,
  weightsX: usize,
  radiusX: i32,
  borderMode: i32,
  float32: bool,
  sourceKind: i32,
  source: usize,
): void {
  W = width;
  H = height;
  C = channels;
  rowLen = width * channels;
  wy = weightsY;
  wx = weightsX;
  ry = weightsY ? radiusY : 0;
  rx = weightsX ? radiusX : 0;
  mode = borderMode;
  round32 = float32;
  srcKind = sourceKind;
  src = source;
  generated = 0;
  nextY = 0;
  ringRows = min(height, 2 * ry + 1);
  if (ringRows < 1) ringRows = 1;
  ring = sourceKind == SRC_F64 ? 0 : alloc(<usize>ringRows * rowLen << 3);
  rows = alloc(<usize>(2 * ry + 1) << 2);
  vrow = alloc(<usize>rowLen << 3);
  hrow = alloc(<usize>rowLen << 3);
  line = alloc(<usize>(width + 2 * rx) * channels << 3);
  padIdx = alloc(<usize>(width + 2 * rx) << 2);
  for (let x = -rx; x < width + rx; x++) store<i32>(padIdx + (<usize>(x + rx) << 2), borderIndex(x, width, mode));
}

function fillRow(r: i32, dst: usize): void {
  const s = src + <usize>r * rowLen;
  let i = 0;
  if (srcKind == SRC_UNIT_U8) {
    for (; i < rowLen; i++) store<f64>(dst + (<usize>i << 3), unit64(load<u8>(s + i)));
  } else {
    for (; i < rowLen; i++) store<f64>(dst + (<usize>i << 3), <f64>load<u8>(s + i));
  }
}

/** Pointer to source row r (rows are generated in increasing order). */
function rowPtr(r: i32): usize {
  if (srcKind == SRC_F64) return src + (<usize>r * rowLen << 3);
  while (generated <= r) {
    fillRow(generated, ring + (<usize>(generated % ringRows) * rowLen << 3));
    generated++;
  }
  return ring + (<usize>(r % ringRows) * rowLen << 3);
}

function roundRow(p: usize): void {
  for (let i = 0; i < rowLen; i++) {
    const a = p + (<usize>i << 3);
    store<f64>(a, <f64>(<f32>load<f64>(a)));
  }
}

function vertical(y: i32): void {
  rowPtr(min(H - 1, y + ry));
  for (let d = -ry; d <= ry; d++) store<u32>(rows + (<usize>(d + ry) << 2), <u32>rowPtr(borderIndex(y + d, H, mode)));
  const w0 = f64x2.splat(load<f64>(wy + (<usize>ry << 3)));
  const centre = <usize>load<u32>(rows + (<usize>ry << 2));
  let i = 0;
  for (; i + 8 <= rowLen; i += 8) {
    const off = <usize>i << 3;
    const c = centre + off;
    let t0 = f64x2.mul(v128.load(c), w0);
    let t1 = f64x2.mul(v128.load(c, 16), w0);
    let t2 = f64x2.mul(v128.load(c, 32), w0);
    let t3 = f64x2.mul(v128.load(c, 48), w0);
    for (let j = ry; j >= 1; j--) {
      const lo = <usize>load<u32>(rows + (<usize>(ry - j) << 2)) + off;
      const hi = <usize>load<u32>(rows + (<usize>(ry + j) << 2)) + off;
      const w = f64x2.splat(load<f64>(wy + (<usize>(ry - j) << 3)));
      t0 = f64x2.add(t0, f64x2.mul(f64x2.add(v128.load(lo), v128.load(hi)), w));
      t1 = f64x2.add(t1, f64x2.mul(f64x2.add(v128.load(lo, 16), v128.load(hi, 16)), w));
      t2 = f64x2.add(t2, f64x2.mul(f64x2.add(v128.load(lo, 32), v128.load(hi, 32)), w));
      t3 = f64x2.add(t3, f64x2.mul(f64x2.add(v128.load(lo, 48), v128.load(hi, 48)), w));
    }
    const o = vrow + off;
    v128.store(o, t0);
    v128.store(o, t1, 16);
    v128.store(o, t2, 32);
    v128.store(o, t3, 48);
  }
  const w0s = load<f64>(wy + (<usize>ry << 3));
  for (; i < rowLen; i++) {
    const off = <usize>i << 3;
    let t = load<f64>(centre + off) * w0s;
    for (let j = ry; j >= 1; j--) {
      const lo = <usize>load<u32>(rows + (<usize>(ry - j) << 2)) + off;
      const hi = <usize>load<u32>(rows + (<usize>(ry + j) << 2)) + off;
      t += (load<f64>(lo) + load<f64>(hi)) * load<f64>(wy + (<usize>(ry - j) << 3));
    }
    store<f64>(vrow + off, t);
  }
}

function horizontal(s: usize): void {
  const padLen = <usize>rx * C;
  memory.copy(line + (padLen << 3), s, <usize>rowLen << 3);
  for (let p = 0; p < rx; p++) {
    const l = <usize>load<i32>(padIdx + (<usize>p << 2)) * C;
    const r = <usize>load<i32>(padIdx + (<usize>(rx + W + p) << 2)) * C;
    for (let c = 0; c < C; c++) {
      store<f64>(line + ((<usize>p * C + c) << 3), load<f64>(s + ((l + c) << 3)));
      store<f64>(line + ((<usize>(rx + W + p) * C + c) << 3), load<f64>(s + ((r + c) << 3)));
    }
  }
  const w0 = f64x2.splat(load<f64>(wx + (<usize>rx << 3)));
  const step = <usize>C << 3;
  let i = 0;
  for (; i + 8 <= rowLen; i += 8) {
    const m = line + ((padLen + i) << 3);
    let t0 = f64x2.mul(v128.load(m), w0);
    let t1 = f64x2.mul(v128.load(m, 16), w0);
    let t2 = f64x2.mul(v128.load(m, 32), w0);
    let t3 = f64x2.mul(v128.load(m, 48), w0);
    for (let j = rx; j >= 1; j--) {
      const d = <usize>j * step;
      const lo = m - d;
      const hi = m + d;
      const w = f64x2.splat(load<f64>(wx + (<usize>(rx - j) << 3)));
      t0 = f64x2.add(t0, f64x2.mul(f64x2.add(v128.load(lo), v128.load(hi)), w));
      t1 = f64x2.add(t1, f64x2.mul(f64x2.add(v128.load(lo, 16), v128.load(hi, 16)), w));
      t2 = f64x2.add(t2, f64x2.mul(f64x2.add(v128.load(lo, 32), v128.load(hi, 32)), w));
      t3 = f64x2.add(t3, f64x2.mul(f64x2.add(v128.load(lo, 48), v128.load(hi, 48)), w));
    }
    const o = hrow + (<usize>i << 3);
    v128.store(o, t0);
    v128.store(o, t1, 16);
    v128.store(o, t2, 32);
    v128.store(o, t3, 48);
  }
  const w0s = load<f64>(wx + (<usize>rx << 3));
  for (; i < rowLen; i++) {
    const m = line + ((padLen + i) << 3);
    let t = load<f64>(m) * w0s;
    for (let j = rx; j >= 1; j--) {
      const d = <usize>j * step;
      t += (load<f64>(m - d) + load<f64>(m + d)) * load<f64>(wx + (<usize>(rx - j) << 3));
    }
    store<f64>(hrow + (<usize>i << 3), t);
  }
}

/** The next output row (float64, width x channels values), valid until the next call. */
export function gaussianNext(): usize {
  const y = nextY++;
  let s: usize;
  if (wy) {
    vertical(y);
    if (round32) roundRow(vrow);
    s = vrow;
  } else {
    s = rowPtr(y);
  }
  if (!wx) return s;
  horizontal(s);
  if (round32) roundRow(hrow);
  return hrow;
}
