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
 * it on two values at once; every lane performs exactly the scalar operations, in the same
 * order, so the results are the same doubles. The axis-0 pass computes four output rows
 * per batch, sharing each input row load among them (sliding taps, as the JavaScript
 * verticalRows4); the axis-1 pass eight values per step.
 *
 * One stream at a time (module state): gaussianStart(), then gaussianNext() once per
 * output row in order. Sources: a float64 image read in place, or bytes converted per row
 * (v / 255 or v) into a ring of 2 r + 4 rows.
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
/** BATCH rows of axis-0 results, and the first row of the batch they hold */
let vrows: usize = 0;
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
  // Output rows y0 .. y0 + BATCH - 1 read rows y0 - ry .. y0 + BATCH - 1 + ry (border-mapped):
  // a ring of that many rows never overwrites a row still needed.
  ringRows = min(height, 2 * ry + BATCH);
  if (ringRows < 1) ringRows = 1;
  ring = sourceKind == SRC_F64 ? 0 : alloc(<usize>ringRows * rowLen << 3);
  rows = alloc(<usize>(2 * ry + BATCH) << 2);
  vrows = alloc(<usize>(BATCH * rowLen) << 3);
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

/** Output rows per axis-0 batch: four rows share each input row load (verticalRows4). */
const BATCH: i32 = 4;

function row(d: i32): usize {
  return <usize>load<u32>(rows + (<usize>d << 2));
}

/** Axis-0 results of output rows y0 .. y0 + BATCH - 1 (fewer at the bottom) into vrows. */
function verticalBatch(y0: i32): void {
  const n = min(BATCH, H - y0);
  rowPtr(min(H - 1, y0 + n - 1 + ry));
  // rows[d + ry]: input row y0 + d, border-mapped, d = -ry .. n - 1 + ry
  for (let d = -ry; d < n + ry; d++) store<u32>(rows + (<usize>(d + ry) << 2), <u32>rowPtr(borderIndex(y0 + d, H, mode)));
  if (n == BATCH) verticalRows4();
  else for (let k = 0; k < n; k++) verticalRow(k);
}

/**
 * Axis 0 for four consecutive output rows, two values per step, in scipy's order per value:
 * t = x[y] w[0], then t += (x[y - j] + x[y + j]) w[j] for j = r down to 1. The four lower
 * and four upper taps slide from j to j - 1 (the rows move by one), so each step loads two
 * input vectors for the four outputs instead of eight (../common/gaussian.ts verticalRows4).
 */
function verticalRows4(): void {
  const w0 = f64x2.splat(load<f64>(wy + (<usize>ry << 3)));
  const c0 = row(ry);
  const c1 = row(ry + 1);
  const c2 = row(ry + 2);
  const c3 = row(ry + 3);
  const stride = <usize>rowLen << 3;
  let i = 0;
  for (; i + 2 <= rowLen; i += 2) {
    const off = <usize>i << 3;
    let t0 = f64x2.mul(v128.load(c0 + off), w0);
    let t1 = f64x2.mul(v128.load(c1 + off), w0);
    let t2 = f64x2.mul(v128.load(c2 + off), w0);
    let t3 = f64x2.mul(v128.load(c3 + off), w0);
    if (ry > 0) {
      let l0 = v128.load(row(0) + off);
      let l1 = v128.load(row(1) + off);
      let l2 = v128.load(row(2) + off);
      let l3 = v128.load(row(3) + off);
      let h0 = v128.load(row(2 * ry) + off);
      let h1 = v128.load(row(2 * ry + 1) + off);
      let h2 = v128.load(row(2 * ry + 2) + off);
      let h3 = v128.load(row(2 * ry + 3) + off);
      for (let j = ry; ; j--) {
        const w = f64x2.splat(load<f64>(wy + (<usize>(ry - j) << 3)));
        t0 = f64x2.add(t0, f64x2.mul(f64x2.add(l0, h0), w));
        t1 = f64x2.add(t1, f64x2.mul(f64x2.add(l1, h1), w));
        t2 = f64x2.add(t2, f64x2.mul(f64x2.add(l2, h2), w));
        t3 = f64x2.add(t3, f64x2.mul(f64x2.add(l3, h3), w));
        if (j == 1) break;
        l0 = l1;
        l1 = l2;
        l2 = l3;
        l3 = v128.load(row(ry + 4 - j) + off);
        h3 = h2;
        h2 = h1;
        h1 = h0;
        h0 = v128.load(row(ry + j - 1) + off);
      }
    }
    const o = vrows + off;
    v128.store(o, t0);
    v128.store(o + stride, t1);
    v128.store(o + 2 * stride, t2);
    v128.store(o + 3 * stride, t3);
  }
  if (i < rowLen) for (let k = 0; k < BATCH; k++) verticalValue(k, i);
}

/** Axis 0 for output row y0 + k (the batch's rows pointers), every value, into vrows row k. */
function verticalRow(k: i32): void {
  for (let i = 0; i < rowLen; i++) verticalValue(k, i);
}

function verticalValue(k: i32, i: i32): void {
  const off = <usize>i << 3;
  let t = load<f64>(row(k + ry) + off) * load<f64>(wy + (<usize>ry << 3));
  for (let j = ry; j >= 1; j--) t += (load<f64>(row(k + ry - j) + off) + load<f64>(row(k + ry + j) + off)) * load<f64>(wy + (<usize>(ry - j) << 3));
  store<f64>(vrows + (<usize>(k * rowLen) << 3) + off, t);
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
    const k = y % BATCH;
    if (k == 0) {
      verticalBatch(y);
      if (round32) for (let b = 0; b < min(BATCH, H - y); b++) roundRow(vrows + (<usize>(b * rowLen) << 3));
    }
    s = vrows + (<usize>(k * rowLen) << 3);
  } else {
    s = rowPtr(y);
  }
  if (!wx) return s;
  horizontal(s);
  if (round32) roundRow(hrow);
  return hrow;
}
