/**
 * Filters the blur/weather kernels share, written to reproduce the numerics of the
 * reference stack of imagecorruptions (scipy.ndimage 1.10, OpenCV 4.6, numpy 1.24):
 *
 * - GaussianRowStream / gaussianFilter: scipy.ndimage.gaussian_filter (what
 *   skimage.filters.gaussian calls), separable correlate1d with scipy's weights, scipy's
 *   summation order and its border modes; the channel axis is never filtered
 *   (skimage channel_axis=-1).
 * - zoomAxis / zoomOrder1Into: scipy.ndimage.zoom(order=1, mode='constant', grid_mode=False).
 * - motionBlurTaps / motionBlurRow: imagecorruptions' _motion_blur (a weighted sum of
 *   edge-clamped shifted copies along a line).
 * - OpenCV 8-bit primitives for spatter: Canny, distanceTransform (L2, 5x5 mask),
 *   box blur, equalizeHist, filter2D with a 3x3 integer kernel.
 *
 * Images are interleaved (row-major, `channels` values per pixel), as RgbImage. The hot
 * paths stream rows through small buffers: on the reference machine (a VM), first-touch
 * page faults make a fresh image-sized float array cost more than the arithmetic.
 * Arithmetic is float64 unless the reference stored float32, in which case the values
 * are rounded to float32 at the same points (Float32Array stores or Math.fround), so that
 * np.uint8's truncation sees the same numbers as the reference in all but rare ties.
 */

import { acquireF64, growF32, releaseF64 } from './scratch';

export type NumericArray = Float64Array | Float32Array | Uint8Array;

/**
 * Border extension modes, named as in scipy.ndimage:
 * - 'reflect': half-sample symmetric, d c b a | a b c d | d c b a (cv2 BORDER_REFLECT)
 * - 'mirror': whole-sample symmetric, d c b | a b c d | c b a (cv2 BORDER_REFLECT_101)
 * - 'nearest': edge value repeated (cv2 BORDER_REPLICATE)
 */
export type BorderMode = 'reflect' | 'mirror' | 'nearest';

/** Maps an index outside [0, len) into it, periodically for pads longer than the line. */
export function borderIndex(i: number, len: number, mode: BorderMode): number {
  if (i >= 0 && i < len) return i;
  if (len <= 1) return 0;
  if (mode === 'nearest') return i < 0 ? 0 : len - 1;
  if (mode === 'reflect') {
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

/** numpy's pairwise summation of float64 (np.sum of a contiguous 1-D array). */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.trunc(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** scipy's radius for a gaussian: int(truncate * sigma + 0.5). */
export function gaussianRadius(sigma: number, truncate: number): number {
  return Math.trunc(truncate * sigma + 0.5);
}

/** scipy.ndimage._gaussian_kernel1d(sigma, order=0, radius): exp(-x^2 / 2 sigma^2), normalised. */
export function gaussianKernel1d(sigma: number, radius: number): Float64Array {
  const w = new Float64Array(2 * radius + 1);
  const f = -0.5 / (sigma * sigma);
  for (let i = -radius; i <= radius; i++) w[i + radius] = Math.exp(f * (i * i));
  const sum = pairwiseSum(w);
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

export interface GaussianOptions {
  /** scipy mode; skimage.filters.gaussian defaults to 'nearest'. */
  mode?: BorderMode;
  /** scipy's truncate (radius = int(truncate * sigma + 0.5)); default 4. */
  truncate?: number;
  /** Round each pass's output to float32, as scipy does for a float32 input. */
  float32?: boolean;
}

/** 8-bit value v as the reference's x / 255 (float64), and np.float32(x) / 255 (float32). */
export const UNIT_F64: Float64Array = Float64Array.from({ length: 256 }, (_, v) => v / 255);
export const UNIT_F32: Float32Array = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The image as float32(v / 255), shared by the kernels that read it many times (see unitImage). */
let unitImageScratch = new Float32Array(0);

/**
 * `data` as float32(v / 255) (np.float32(x) / 255), in a buffer shared by all callers
 * (see common/scratch.ts): valid until the next call, so a kernel calls it once, at its
 * start. Kernels that read each pixel several times (zoom_blur, elastic_transform) save
 * a table lookup per read.
 */
export function unitImage(data: Uint8Array): Float32Array {
  unitImageScratch = growF32(unitImageScratch, data.length);
  const unit = unitImageScratch;
  const lut = UNIT_F32;
  for (let i = 0; i < data.length; i++) unit[i] = lut[data[i]];
  return unit;
}

/** Output rows per vertical batch of GaussianRowStream (the sliding-register width). */
const BATCH = 4;

/**
 * scipy.ndimage.gaussian_filter(x, (sigmaY, sigmaX, 0)) produced row by row: axis 0 first,
 * then axis 1, an axis with sigma <= 1e-15 skipped, scipy's weights and summation order.
 * Input rows are pulled from `source(y, row)` in increasing order and kept in a ring of
 * 2 radius + 4 rows, so no image-sized float buffer is allocated (on the reference
 * machine, first-touching a fresh 20 MB array costs more than the filtering); the ring
 * and the other internal buffers come from a pool (common/scratch.ts) and go back to it
 * after the last row. The axis-0 pass runs four output rows at a time (verticalBatch).
 */
export class GaussianRowStream {
  private readonly rowLen: number;
  private readonly ring: Float64Array<ArrayBuffer>;
  private readonly ringRows: number;
  private readonly weightsY: Float64Array | null;
  private readonly weightsX: Float64Array | null;
  /** BATCH rows of axis-0 results */
  private readonly vbuf: Float64Array<ArrayBuffer>;
  private readonly hrow: Float64Array;
  private readonly line: Float64Array<ArrayBuffer>;
  private readonly padIndex: Int32Array;
  private readonly mode: BorderMode;
  private readonly float32: boolean;
  /** ring offsets of the rows y0 - r .. y0 + BATCH - 1 + r of the current batch */
  private readonly offsets: Int32Array;
  private generated = 0;
  private y = 0;
  private released = false;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly channels: number,
    sigmaY: number,
    sigmaX: number,
    options: GaussianOptions,
    private readonly source: (y: number, row: Float64Array) => void,
  ) {
    const truncate = options.truncate ?? 4;
    this.mode = options.mode ?? 'nearest';
    this.float32 = options.float32 ?? false;
    this.rowLen = width * channels;
    this.weightsY = sigmaY > 1e-15 ? gaussianKernel1d(sigmaY, gaussianRadius(sigmaY, truncate)) : null;
    this.weightsX = sigmaX > 1e-15 ? gaussianKernel1d(sigmaX, gaussianRadius(sigmaX, truncate)) : null;
    const ry = this.weightsY ? (this.weightsY.length - 1) >> 1 : 0;
    const rx = this.weightsX ? (this.weightsX.length - 1) >> 1 : 0;
    // Every row that output rows y0 .. y0 + BATCH - 1 read, border-mapped, lies in
    // [y0 - ry, y0 + BATCH - 1 + ry], so a ring of that many rows never overwrites a row
    // still needed (and holds the whole image when it is shorter).
    this.ringRows = Math.max(1, Math.min(height, 2 * ry + BATCH));
    this.ring = acquireF64(this.ringRows * this.rowLen);
    this.vbuf = acquireF64(BATCH * this.rowLen);
    this.offsets = new Int32Array(2 * ry + BATCH);
    this.hrow = new Float64Array(this.rowLen);
    this.line = acquireF64((width + 2 * rx) * channels);
    this.padIndex = new Int32Array(width + 2 * rx);
    for (let x = -rx; x < width + rx; x++) this.padIndex[x + rx] = borderIndex(x, width, this.mode);
    if (height === 0) this.release();
  }

  private rowOffset(row: number): number {
    while (this.generated <= row) {
      const slot = this.generated % this.ringRows;
      this.source(this.generated, this.ring.subarray(slot * this.rowLen, (slot + 1) * this.rowLen));
      this.generated++;
    }
    return (row % this.ringRows) * this.rowLen;
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    releaseF64(this.ring);
    releaseF64(this.vbuf);
    releaseF64(this.line);
  }

  /** The next output row (rows come in order 0, 1, ...); the array is reused by the next call. */
  next(): Float64Array {
    const y = this.y++;
    if (y >= this.height) throw new Error('GaussianRowStream: no rows left');
    const { rowLen } = this;
    let src: Float64Array;
    let srcOffset: number;
    const wy = this.weightsY;
    if (wy) {
      const k = y % BATCH;
      if (k === 0) this.verticalBatch(y, wy);
      src = this.vbuf;
      srcOffset = k * rowLen;
    } else {
      src = this.ring;
      srcOffset = this.rowOffset(y);
    }
    const wx = this.weightsX;
    const hrow = this.hrow;
    if (wx) {
      correlateRow(src, srcOffset, hrow, this.line, this.padIndex, this.channels, wx);
      if (this.float32) for (let i = 0; i < rowLen; i++) hrow[i] = Math.fround(hrow[i]);
    } else {
      for (let i = 0; i < rowLen; i++) hrow[i] = src[srcOffset + i];
    }
    if (this.y === this.height) this.release();
    return hrow;
  }

  /** Axis-0 results for output rows y0 .. y0 + BATCH - 1 (fewer at the bottom) into vbuf. */
  private verticalBatch(y0: number, weights: Float64Array): void {
    const { height, mode, rowLen, ring, vbuf, offsets } = this;
    const r = (weights.length - 1) >> 1;
    const n = Math.min(BATCH, height - y0);
    this.rowOffset(Math.min(height - 1, y0 + n - 1 + r));
    for (let d = -r; d < n + r; d++) offsets[d + r] = this.rowOffset(borderIndex(y0 + d, height, mode));
    if (n === BATCH) {
      verticalRows4(ring, offsets, weights, vbuf, rowLen);
    } else {
      for (let k = 0; k < n; k++) verticalRow(ring, offsets, k, weights, vbuf, k * rowLen, rowLen);
    }
    if (this.float32) for (let i = 0; i < n * rowLen; i++) vbuf[i] = Math.fround(vbuf[i]);
  }
}

/**
 * Axis-0 pass for four consecutive output rows y0 .. y0 + 3, in scipy's order per value:
 * t = x[y]*w[0], then t += (x[y - j] + x[y + j]) * w[j] for j = r down to 1. Row y0 + d
 * of the input is at ring offset offsets[d + r]. One column at a time with the four sums
 * and the taps in sliding registers (going from j to j - 1, the four upper values move
 * down one row and so do the four lower ones): two loads per step instead of eight.
 */
function verticalRows4(ring: Float64Array, offsets: Int32Array, weights: Float64Array, out: Float64Array, rowLen: number): void {
  const r = (weights.length - 1) >> 1;
  const w0 = weights[r];
  const c0 = offsets[r];
  const c1 = offsets[r + 1];
  const c2 = offsets[r + 2];
  const c3 = offsets[r + 3];
  for (let i = 0; i < rowLen; i++) {
    let t0 = ring[c0 + i] * w0;
    let t1 = ring[c1 + i] * w0;
    let t2 = ring[c2 + i] * w0;
    let t3 = ring[c3 + i] * w0;
    if (r > 0) {
      let l0 = ring[offsets[0] + i];
      let l1 = ring[offsets[1] + i];
      let l2 = ring[offsets[2] + i];
      let l3 = ring[offsets[3] + i];
      let h0 = ring[offsets[2 * r] + i];
      let h1 = ring[offsets[2 * r + 1] + i];
      let h2 = ring[offsets[2 * r + 2] + i];
      let h3 = ring[offsets[2 * r + 3] + i];
      // Two taps per iteration (see correlateRow), then the rest one by one.
      let j = r;
      for (; j > 2; j -= 2) {
        const wa = weights[r - j];
        const wb = weights[r - j + 1];
        t0 += (l0 + h0) * wa;
        t1 += (l1 + h1) * wa;
        t2 += (l2 + h2) * wa;
        t3 += (l3 + h3) * wa;
        l0 = l1;
        l1 = l2;
        l2 = l3;
        l3 = ring[offsets[r + 4 - j] + i];
        h3 = h2;
        h2 = h1;
        h1 = h0;
        h0 = ring[offsets[r + j - 1] + i];
        t0 += (l0 + h0) * wb;
        t1 += (l1 + h1) * wb;
        t2 += (l2 + h2) * wb;
        t3 += (l3 + h3) * wb;
        l0 = l1;
        l1 = l2;
        l2 = l3;
        l3 = ring[offsets[r + 5 - j] + i];
        h3 = h2;
        h2 = h1;
        h1 = h0;
        h0 = ring[offsets[r + j - 2] + i];
      }
      for (; ; j--) {
        const wj = weights[r - j];
        t0 += (l0 + h0) * wj;
        t1 += (l1 + h1) * wj;
        t2 += (l2 + h2) * wj;
        t3 += (l3 + h3) * wj;
        if (j === 1) break;
        l0 = l1;
        l1 = l2;
        l2 = l3;
        l3 = ring[offsets[r + 4 - j] + i];
        h3 = h2;
        h2 = h1;
        h1 = h0;
        h0 = ring[offsets[r + j - 1] + i];
      }
    }
    out[i] = t0;
    out[rowLen + i] = t1;
    out[2 * rowLen + i] = t2;
    out[3 * rowLen + i] = t3;
  }
}

/** Axis-0 pass for the single output row y0 + k (same order as verticalRows4), into out[o ..]. */
function verticalRow(ring: Float64Array, offsets: Int32Array, k: number, weights: Float64Array, out: Float64Array, o: number, rowLen: number): void {
  const r = (weights.length - 1) >> 1;
  const w0 = weights[r];
  const centre = offsets[k + r];
  for (let i = 0; i < rowLen; i++) {
    let t = ring[centre + i] * w0;
    for (let j = r; j >= 1; j--) t += (ring[offsets[k + r - j] + i] + ring[offsets[k + r + j] + i]) * weights[r - j];
    out[o + i] = t;
  }
}

/**
 * scipy correlate1d along one interleaved row with a symmetric kernel, in scipy's order:
 * t = x[0] w[0], then t += (x[-j] + x[j]) w[j] for j = r down to 1.
 * Four neighbouring pixels of one channel at a time, each in its own register sum, with
 * the taps in sliding registers: going from tap j to j - 1 the four left values shift
 * by one pixel and so do the four right ones, so each step loads two values instead of
 * eight (the pass was bound by loads). Same operations, same order, same results.
 */
function correlateRow(
  src: Float64Array,
  srcOffset: number,
  dst: Float64Array,
  line: Float64Array,
  padIndex: Int32Array,
  channels: number,
  weights: Float64Array,
): void {
  const r = (weights.length - 1) >> 1;
  const w0 = weights[r];
  const C = channels;
  // The padded line: the row itself in the middle (one block copy), border-mapped
  // pixels on both sides.
  const width = dst.length / C;
  const pad = (padIndex.length - width) >> 1;
  line.set(src.subarray(srcOffset, srcOffset + width * C), pad * C);
  for (let p = 0; p < pad; p++) {
    const s = srcOffset + padIndex[p] * C;
    const t = srcOffset + padIndex[pad + width + p] * C;
    for (let c = 0; c < C; c++) {
      line[p * C + c] = src[s + c];
      line[(pad + width + p) * C + c] = src[t + c];
    }
  }
  for (let c = 0; c < C; c++) {
    let x = 0;
    for (; x + 3 < width; x += 4) {
      const m = (x + r) * C + c;
      let t0 = line[m] * w0;
      let t1 = line[m + C] * w0;
      let t2 = line[m + 2 * C] * w0;
      let t3 = line[m + 3 * C] * w0;
      if (r > 0) {
        let l0 = line[m - r * C];
        let l1 = line[m - (r - 1) * C];
        let l2 = line[m - (r - 2) * C];
        let l3 = line[m - (r - 3) * C];
        let h0 = line[m + r * C];
        let h1 = line[m + (r + 1) * C];
        let h2 = line[m + (r + 2) * C];
        let h3 = line[m + (r + 3) * C];
        // Step k uses weights[k] (tap j = r - k); before step k + 1 the windows shift,
        // loading the left value at pl (m + (4 - j) C) and the right one at ph (m + (j - 1) C).
        // Two steps per iteration: V8 re-validates each typed array once per loop
        // iteration (see common/scratch.ts), so longer iterations pay less for it.
        let pl = m + (4 - r) * C;
        let ph = m + (r - 1) * C;
        let k = 0;
        for (; k + 2 < r; k += 2) {
          const wa = weights[k];
          const wb = weights[k + 1];
          t0 += (l0 + h0) * wa;
          t1 += (l1 + h1) * wa;
          t2 += (l2 + h2) * wa;
          t3 += (l3 + h3) * wa;
          l0 = l1;
          l1 = l2;
          l2 = l3;
          l3 = line[pl];
          h3 = h2;
          h2 = h1;
          h1 = h0;
          h0 = line[ph];
          t0 += (l0 + h0) * wb;
          t1 += (l1 + h1) * wb;
          t2 += (l2 + h2) * wb;
          t3 += (l3 + h3) * wb;
          l0 = l1;
          l1 = l2;
          l2 = l3;
          l3 = line[pl + C];
          h3 = h2;
          h2 = h1;
          h1 = h0;
          h0 = line[ph - C];
          pl += 2 * C;
          ph -= 2 * C;
        }
        for (; ; k++) {
          const wj = weights[k];
          t0 += (l0 + h0) * wj;
          t1 += (l1 + h1) * wj;
          t2 += (l2 + h2) * wj;
          t3 += (l3 + h3) * wj;
          if (k === r - 1) break;
          l0 = l1;
          l1 = l2;
          l2 = l3;
          l3 = line[pl];
          pl += C;
          h3 = h2;
          h2 = h1;
          h1 = h0;
          h0 = line[ph];
          ph -= C;
        }
      }
      const o = x * C + c;
      dst[o] = t0;
      dst[o + C] = t1;
      dst[o + 2 * C] = t2;
      dst[o + 3 * C] = t3;
    }
    for (; x < width; x++) {
      const m = (x + r) * C + c;
      let t = line[m] * w0;
      for (let j = r; j >= 1; j--) t += (line[m - j * C] + line[m + j * C]) * weights[r - j];
      dst[x * C + c] = t;
    }
  }
}

/** A row source reading an interleaved float64 image. */
export function rowsOf(src: Float64Array, rowLen: number): (y: number, row: Float64Array) => void {
  return (y, row) => row.set(src.subarray(y * rowLen, (y + 1) * rowLen));
}

/** A row source reading 8-bit pixels as the reference's x / 255 in float64. */
export function unitRowsOf(src: Uint8Array, rowLen: number): (y: number, row: Float64Array) => void {
  const unit = UNIT_F64;
  return (y, row) => {
    const o = y * rowLen;
    let i = 0;
    // Four values per iteration (V8 re-validates typed arrays once per iteration).
    for (; i + 3 < rowLen; i += 4) {
      row[i] = unit[src[o + i]];
      row[i + 1] = unit[src[o + i + 1]];
      row[i + 2] = unit[src[o + i + 2]];
      row[i + 3] = unit[src[o + i + 3]];
    }
    for (; i < rowLen; i++) row[i] = unit[src[o + i]];
  };
}

/**
 * scipy.ndimage.gaussian_filter on a whole interleaved image, float64 result (the
 * channel axis is not filtered). For large images prefer GaussianRowStream.
 */
export function gaussianFilter(
  src: Float64Array,
  width: number,
  height: number,
  channels: number,
  sigmaY: number,
  sigmaX: number,
  options: GaussianOptions = {},
): Float64Array {
  const rowLen = width * channels;
  const out = new Float64Array(rowLen * height);
  const stream = new GaussianRowStream(width, height, channels, sigmaY, sigmaX, options, rowsOf(src, rowLen));
  for (let y = 0; y < height; y++) out.set(stream.next(), y * rowLen);
  return out;
}

// ---------------------------------------------------------------------------------
// zoom, order 1

/** One axis of scipy's zoom(order=1, mode='constant'): source indices and weights per output index. */
export interface ZoomAxis {
  outLen: number;
  /** first source index (after scipy's edge mirroring) */
  i0: Int32Array;
  /** second source index */
  i1: Int32Array;
  w0: Float64Array;
  w1: Float64Array;
  /** 1 where scipy's constant mode gives cval (coordinate past the last sample by rounding) */
  zero: Uint8Array;
}

/** Python's round() of a float (half to even), as scipy uses for zoom's output shape. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Output length of scipy.ndimage.zoom along an axis of inLen samples. */
export function zoomedLength(inLen: number, zoom: number): number {
  return roundHalfEven(inLen * zoom);
}

/**
 * The sampling plan of scipy.ndimage.zoom(order=1, mode='constant', grid_mode=False):
 * output index k reads input coordinate k * (inLen - 1) / (outLen - 1) (corner-aligned).
 * A coordinate that rounding puts past inLen - 1 yields cval (0), exactly as scipy does.
 */
export function zoomAxis(inLen: number, outLen: number): ZoomAxis {
  const zoom = outLen - 1 !== 0 ? (inLen - 1) / (outLen - 1) : 1;
  const plan: ZoomAxis = {
    outLen,
    i0: new Int32Array(outLen),
    i1: new Int32Array(outLen),
    w0: new Float64Array(outLen),
    w1: new Float64Array(outLen),
    zero: new Uint8Array(outLen),
  };
  for (let k = 0; k < outLen; k++) {
    const cc = k * zoom;
    if (cc > inLen - 1) {
      plan.zero[k] = 1;
      continue;
    }
    const start = Math.floor(cc);
    const w0 = 1 - (cc - start);
    plan.i0[k] = start;
    plan.i1[k] = start + 1 < inLen ? start + 1 : borderIndex(start + 1, inLen, 'mirror');
    plan.w0[k] = w0;
    plan.w1[k] = 1 - w0;
  }
  return plan;
}

export interface ZoomRegion {
  /** first input row and column of the zoomed region in src */
  top: number;
  left: number;
  /** size of the zoomed region */
  inHeight: number;
  inWidth: number;
}

/**
 * scipy.ndimage.zoom(src[top:top+inHeight, left:left+inWidth], (zoom, zoom, 1), order=1)
 * restricted to its first `rows` x `cols` output samples (the reference crops the rest).
 * Each value is ((v*wy)*wx) summed over the four samples in scipy's order; a Float32Array
 * `out` rounds it to float32 as scipy's float32 output does.
 */
export function zoomOrder1Into(
  src: NumericArray,
  srcWidth: number,
  channels: number,
  region: ZoomRegion,
  rowsPlan: ZoomAxis,
  colsPlan: ZoomAxis,
  rows: number,
  cols: number,
  out: Float64Array | Float32Array,
  outWidth: number,
): void {
  const { top, left, inWidth } = region;
  const rowLen = inWidth * channels;
  const a = new Float64Array(rowLen);
  const b = new Float64Array(rowLen);
  const srcRowLen = srcWidth * channels;
  for (let y = 0; y < rows; y++) {
    const o = y * outWidth * channels;
    if (rowsPlan.zero[y]) {
      out.fill(0, o, o + cols * channels);
      continue;
    }
    const s0 = (top + rowsPlan.i0[y]) * srcRowLen + left * channels;
    const s1 = (top + rowsPlan.i1[y]) * srcRowLen + left * channels;
    const wy0 = rowsPlan.w0[y];
    const wy1 = rowsPlan.w1[y];
    // (v * wy) once per source value of the two rows, then * wx per output.
    for (let i = 0; i < rowLen; i++) {
      a[i] = src[s0 + i] * wy0;
      b[i] = src[s1 + i] * wy1;
    }
    for (let x = 0; x < cols; x++) {
      const q = o + x * channels;
      if (colsPlan.zero[x]) {
        for (let c = 0; c < channels; c++) out[q + c] = 0;
        continue;
      }
      const p0 = colsPlan.i0[x] * channels;
      const p1 = colsPlan.i1[x] * channels;
      const u0 = colsPlan.w0[x];
      const u1 = colsPlan.w1[x];
      for (let c = 0; c < channels; c++) {
        out[q + c] = a[p0 + c] * u0 + a[p1 + c] * u1 + b[p0 + c] * u0 + b[p1 + c] * u1;
      }
    }
  }
}

// ---------------------------------------------------------------------------------
// motion blur (imagecorruptions' _motion_blur)

export interface MotionTap {
  dx: number;
  dy: number;
  weight: number;
}

/**
 * The shifted copies of imagecorruptions' _motion_blur(x, radius, sigma, angle):
 * width = 2 radius + 1 taps along the angle with one-sided gaussian weights
 * exp(-i^2 / 2 sigma^2) normalised to sum 1; tap i shifts by
 * (-ceil(i sin a - 0.5), -ceil(i cos a - 0.5)) and the list stops at the first shift that
 * leaves the image (so tiny images keep fewer taps and darken, as in the reference).
 */
export function motionBlurTaps(radius: number, sigma: number, angleDeg: number, width: number, height: number): MotionTap[] {
  const size = radius * 2 + 1;
  const k = new Float64Array(size);
  for (let i = 0; i < size; i++) k[i] = Math.exp(-(i * i) / (2 * (sigma * sigma))) / (Math.sqrt(2 * Math.PI) * sigma);
  const z = pairwiseSum(k);
  const rad = angleDeg * (Math.PI / 180);
  const py = size * Math.sin(rad);
  const px = size * Math.cos(rad);
  const hypot = Math.hypot(py, px);
  const taps: MotionTap[] = [];
  for (let i = 0; i < size; i++) {
    const dy = -Math.ceil((i * py) / hypot - 0.5);
    const dx = -Math.ceil((i * px) / hypot - 0.5);
    if (Math.abs(dy) >= height || Math.abs(dx) >= width) break;
    taps.push({ dx: dx === 0 ? 0 : dx, dy: dy === 0 ? 0 : dy, weight: k[i] / z });
  }
  return taps;
}

/** Per-row state of motionBlurRow: each tap's source row offset (minus its column shift) and weight, and the interior columns. */
interface MotionRowPlan {
  offsets: Int32Array;
  weights: Float64Array;
  /** columns [xs, xe) where every tap's source column is inside the image */
  xs: number;
  xe: number;
}

const motionPlan: MotionRowPlan = { offsets: new Int32Array(64), weights: new Float64Array(64), xs: 0, xe: 0 };

function planMotionRow(taps: readonly MotionTap[], width: number, height: number, channels: number, cols: number, y: number): MotionRowPlan {
  const k = taps.length;
  if (motionPlan.offsets.length < k) {
    motionPlan.offsets = new Int32Array(k);
    motionPlan.weights = new Float64Array(k);
  }
  const rowLen = width * channels;
  let xs = 0;
  let xe = cols;
  for (let t = 0; t < k; t++) {
    const tap = taps[t];
    let sy = y - tap.dy;
    sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
    motionPlan.offsets[t] = sy * rowLen - tap.dx * channels;
    motionPlan.weights[t] = tap.weight;
    xs = Math.max(xs, tap.dx);
    xe = Math.min(xe, width + tap.dx);
  }
  if (xe <= xs) {
    xs = 0;
    xe = 0;
  }
  motionPlan.xs = xs;
  motionPlan.xe = xe;
  return motionPlan;
}

/**
 * One output row of sum(weight * shift(src, dx, dy)) over the taps, where a shift repeats
 * the edge (out[y][x] = src[clamp(y - dy)][clamp(x - dx)]); the first `out.length /
 * channels` columns. Summation runs over the taps in order, in float64, as the
 * reference's loop does. For float sources (snow's layer); motionBlurRowBytes is the
 * same for 8-bit sources (two copies so that each stays monomorphic in V8).
 */
export function motionBlurRow(
  src: Float64Array,
  width: number,
  height: number,
  channels: number,
  taps: readonly MotionTap[],
  y: number,
  out: Float64Array,
): void {
  const cols = out.length / channels;
  const { offsets, weights, xs, xe } = planMotionRow(taps, width, height, channels, cols, y);
  const k = taps.length;
  // Interior: register sums, taps in order (the reference's order), eight values at a time.
  const end = xe * channels;
  let i = xs * channels;
  for (; i + 7 < end; i += 8) {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let t4 = 0;
    let t5 = 0;
    let t6 = 0;
    let t7 = 0;
    for (let j = 0; j < k; j++) {
      const o = offsets[j] + i;
      const w = weights[j];
      t0 += w * src[o];
      t1 += w * src[o + 1];
      t2 += w * src[o + 2];
      t3 += w * src[o + 3];
      t4 += w * src[o + 4];
      t5 += w * src[o + 5];
      t6 += w * src[o + 6];
      t7 += w * src[o + 7];
    }
    out[i] = t0;
    out[i + 1] = t1;
    out[i + 2] = t2;
    out[i + 3] = t3;
    out[i + 4] = t4;
    out[i + 5] = t5;
    out[i + 6] = t6;
    out[i + 7] = t7;
  }
  for (; i < end; i++) {
    let t = 0;
    for (let j = 0; j < k; j++) t += weights[j] * src[offsets[j] + i];
    out[i] = t;
  }
  motionBorders(src, width, height, channels, taps, y, out, xs, xe, cols);
}

/** motionBlurRow for 8-bit sources (motion_blur on the image). */
export function motionBlurRowBytes(
  src: Uint8Array,
  width: number,
  height: number,
  channels: number,
  taps: readonly MotionTap[],
  y: number,
  out: Float64Array,
): void {
  const cols = out.length / channels;
  const { offsets, weights, xs, xe } = planMotionRow(taps, width, height, channels, cols, y);
  const k = taps.length;
  const end = xe * channels;
  let i = xs * channels;
  for (; i + 7 < end; i += 8) {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let t4 = 0;
    let t5 = 0;
    let t6 = 0;
    let t7 = 0;
    for (let j = 0; j < k; j++) {
      const o = offsets[j] + i;
      const w = weights[j];
      t0 += w * src[o];
      t1 += w * src[o + 1];
      t2 += w * src[o + 2];
      t3 += w * src[o + 3];
      t4 += w * src[o + 4];
      t5 += w * src[o + 5];
      t6 += w * src[o + 6];
      t7 += w * src[o + 7];
    }
    out[i] = t0;
    out[i + 1] = t1;
    out[i + 2] = t2;
    out[i + 3] = t3;
    out[i + 4] = t4;
    out[i + 5] = t5;
    out[i + 6] = t6;
    out[i + 7] = t7;
  }
  for (; i < end; i++) {
    let t = 0;
    for (let j = 0; j < k; j++) t += weights[j] * src[offsets[j] + i];
    out[i] = t;
  }
  motionBorders(src, width, height, channels, taps, y, out, xs, xe, cols);
}

/** The border columns of a motion-blurred row ([0, xs) and [xe, cols)): tap by tap, repeating the edge columns. */
function motionBorders(
  src: NumericArray,
  width: number,
  height: number,
  channels: number,
  taps: readonly MotionTap[],
  y: number,
  out: Float64Array,
  xs: number,
  xe: number,
  cols: number,
): void {
  const rowLen = width * channels;
  for (let x = 0; x < xs; x++) for (let c = 0; c < channels; c++) out[x * channels + c] = 0;
  for (let x = Math.max(xe, xs); x < cols; x++) for (let c = 0; c < channels; c++) out[x * channels + c] = 0;
  for (let t = 0; t < taps.length; t++) {
    const tap = taps[t];
    let sy = y - tap.dy;
    sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
    const s = sy * rowLen;
    const w = tap.weight;
    for (let x = 0; x < xs; x++) {
      const sx = x - tap.dx < 0 ? 0 : x - tap.dx >= width ? width - 1 : x - tap.dx;
      for (let c = 0; c < channels; c++) out[x * channels + c] += w * src[s + sx * channels + c];
    }
    for (let x = Math.max(xe, xs); x < cols; x++) {
      const sx = x - tap.dx < 0 ? 0 : x - tap.dx >= width ? width - 1 : x - tap.dx;
      for (let c = 0; c < channels; c++) out[x * channels + c] += w * src[s + sx * channels + c];
    }
  }
}

// ---------------------------------------------------------------------------------
// OpenCV 8-bit primitives (spatter)

/** OpenCV's saturate_cast<uchar> of a float: round half to even (cvRound), clamp to 0..255. */
export function saturateU8(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 255) return 255;
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Temporaries of canny and distanceTransformL2Mask5, reused across calls (see common/scratch.ts). */
const cvScratch = {
  dx: new Int16Array(0),
  dy: new Int16Array(0),
  mag: new Int32Array(0),
  map: new Uint8Array(0),
  stack: new Int32Array(0),
  dist: new Uint32Array(0),
};

/**
 * cv2.Canny(src, low, high) with apertureSize 3 and the L1 gradient: Sobel with replicated
 * borders, non-maximum suppression with OpenCV's 22.5/67.5 degree sectors (and its
 * strict/non-strict comparisons), hysteresis over 8-neighbours. Writes 0/255 into `out`
 * (a new array if not given) and returns it.
 */
export function canny(src: Uint8Array, width: number, height: number, low: number, high: number, out?: Uint8Array): Uint8Array {
  const n = width * height;
  const result = out ?? new Uint8Array(n);
  if (n === 0) return result;
  if (cvScratch.dx.length < n) {
    cvScratch.dx = new Int16Array(n);
    cvScratch.dy = new Int16Array(n);
    cvScratch.map = new Uint8Array(n);
    cvScratch.stack = new Int32Array(n);
  }
  const mw = width + 2;
  if (cvScratch.mag.length < mw * (height + 2)) cvScratch.mag = new Int32Array(mw * (height + 2));
  const { dx: dxs, dy: dys, mag, map, stack } = cvScratch;
  // zero border, as OpenCV's magnitude buffer
  mag.fill(0, 0, mw);
  mag.fill(0, (height + 1) * mw, (height + 2) * mw);
  for (let y = 1; y <= height; y++) {
    mag[y * mw] = 0;
    mag[y * mw + width + 1] = 0;
  }
  // Sobel, replicated border: with a = column x smoothed vertically (1 2 1) and d = its
  // vertical difference, gx = a[x+1] - a[x-1] and gy = d[x-1] + 2 d[x] + d[x+1]; both
  // slide along the row in registers (integer arithmetic, exact).
  for (let y = 0; y < height; y++) {
    const ym = (y > 0 ? y - 1 : 0) * width;
    const y0 = y * width;
    const yp = (y < height - 1 ? y + 1 : height - 1) * width;
    let aPrev = src[ym] + 2 * src[y0] + src[yp];
    let dPrev = src[yp] - src[ym];
    let aCur = aPrev;
    let dCur = dPrev;
    const m0 = (y + 1) * mw + 1;
    for (let x = 0; x < width; x++) {
      const xp = x < width - 1 ? x + 1 : x;
      const aNext = src[ym + xp] + 2 * src[y0 + xp] + src[yp + xp];
      const dNext = src[yp + xp] - src[ym + xp];
      const gx = aNext - aPrev;
      const gy = dPrev + 2 * dCur + dNext;
      dxs[y0 + x] = gx;
      dys[y0 + x] = gy;
      mag[m0 + x] = (gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy);
      aPrev = aCur;
      dPrev = dCur;
      aCur = aNext;
      dCur = dNext;
    }
  }
  // 0: candidate (weak, passed NMS), 1: not an edge, 2: edge
  let top = 0;
  const TG22 = 13573; // (int)(tan(22.5 deg) * 2^15 + 0.5)
  for (let y = 0; y < height; y++) {
    let prevFlag = false;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const j = (y + 1) * mw + x + 1;
      const m = mag[j];
      const p = row + x;
      let isMax = false;
      if (m > low) {
        const xs = dxs[p];
        const ys = dys[p];
        const ax = xs < 0 ? -xs : xs;
        const ay = (ys < 0 ? -ys : ys) * 32768;
        const tg22x = ax * TG22;
        if (ay < tg22x) {
          isMax = m > mag[j - 1] && m >= mag[j + 1];
        } else {
          const tg67x = tg22x + ax * 65536;
          if (ay > tg67x) {
            isMax = m > mag[j - mw] && m >= mag[j + mw];
          } else {
            const s = (xs ^ ys) < 0 ? -1 : 1;
            isMax = m > mag[j - mw - s] && m > mag[j + mw + s];
          }
        }
      }
      if (!isMax) {
        prevFlag = false;
        map[p] = 1;
        continue;
      }
      if (!prevFlag && m > high && (y === 0 || map[p - width] !== 2)) {
        map[p] = 2;
        stack[top++] = p;
        prevFlag = true;
      } else {
        map[p] = 0;
      }
    }
  }
  while (top > 0) {
    const p = stack[--top];
    const y = (p / width) | 0;
    const x = p - y * width;
    for (let oy = -1; oy <= 1; oy++) {
      const yy = y + oy;
      if (yy < 0 || yy >= height) continue;
      for (let ox = -1; ox <= 1; ox++) {
        const xx = x + ox;
        if (xx < 0 || xx >= width) continue;
        const q = yy * width + xx;
        if (map[q] === 0) {
          map[q] = 2;
          stack[top++] = q;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) result[i] = map[i] === 2 ? 255 : 0;
  return result;
}

/**
 * cv2.distanceTransform(src, DIST_L2, 5): two-pass 5x5 chamfer distance to the nearest zero
 * pixel with OpenCV's weights 1, 1.4, 2.1969 in 16-bit fixed point; float32 result into
 * `out` (a new array if not given).
 */
export function distanceTransformL2Mask5(src: Uint8Array, width: number, height: number, out?: Float32Array): Float32Array {
  const SHIFT = 16;
  const HV = Math.round(1 * (1 << SHIFT));
  const DIAG = Math.round(1.4 * (1 << SHIFT));
  const LONG = Math.round(2.1969 * (1 << SHIFT));
  const INIT = 2147483647;
  const border = 2;
  const tw = width + 2 * border;
  const result = out ?? new Float32Array(width * height);
  const size = tw * (height + 2 * border);
  if (cvScratch.dist.length < size) cvScratch.dist = new Uint32Array(size);
  // unsigned 32-bit like OpenCV's buffer: INIT + LONG still fits
  const temp = cvScratch.dist;
  temp.fill(INIT, 0, size);
  const tw2 = 2 * tw;
  for (let y = 0; y < height; y++) {
    let j = (y + border) * tw + border;
    const row = y * width;
    for (let x = 0; x < width; x++, j++) {
      if (!src[row + x]) {
        temp[j] = 0;
        continue;
      }
      let t0 = temp[j - tw2 - 1] + LONG;
      let t = temp[j - tw2 + 1] + LONG;
      if (t0 > t) t0 = t;
      t = temp[j - tw - 2] + LONG;
      if (t0 > t) t0 = t;
      t = temp[j - tw - 1] + DIAG;
      if (t0 > t) t0 = t;
      t = temp[j - tw] + HV;
      if (t0 > t) t0 = t;
      t = temp[j - tw + 1] + DIAG;
      if (t0 > t) t0 = t;
      t = temp[j - tw + 2] + LONG;
      if (t0 > t) t0 = t;
      t = temp[j - 1] + HV;
      if (t0 > t) t0 = t;
      temp[j] = t0;
    }
  }
  const scale = Math.fround(1 / (1 << SHIFT));
  for (let y = height - 1; y >= 0; y--) {
    let j = (y + border) * tw + border + width - 1;
    const row = y * width;
    for (let x = width - 1; x >= 0; x--, j--) {
      let t0 = temp[j];
      if (t0 > HV) {
        let t = temp[j + tw2 + 1] + LONG;
        if (t0 > t) t0 = t;
        t = temp[j + tw2 - 1] + LONG;
        if (t0 > t) t0 = t;
        t = temp[j + tw + 2] + LONG;
        if (t0 > t) t0 = t;
        t = temp[j + tw + 1] + DIAG;
        if (t0 > t) t0 = t;
        t = temp[j + tw] + HV;
        if (t0 > t) t0 = t;
        t = temp[j + tw - 1] + DIAG;
        if (t0 > t) t0 = t;
        t = temp[j + tw - 2] + LONG;
        if (t0 > t) t0 = t;
        t = temp[j + 1] + HV;
        if (t0 > t) t0 = t;
        temp[j] = t0;
      }
      result[row + x] = t0 * scale;
    }
  }
  return result;
}

/**
 * The three source rows and, per column, the left and right neighbours of a 3x3 filter
 * with BORDER_REFLECT_101 (cv2's default): interior columns use x - 1 and x + 1, the two
 * edge columns are mapped.
 */
function mirrorRows(y: number, height: number, width: number): [number, number, number] {
  return [borderIndex(y - 1, height, 'mirror') * width, y * width, borderIndex(y + 1, height, 'mirror') * width];
}

/** cv2.blur(src, (3, 3)) on one float channel: 3x3 mean, BORDER_REFLECT_101, float32 result (into `out` if given). */
export function boxBlur3Float(src: Float32Array, width: number, height: number, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(width * height);
  const scale = 1 / 9;
  for (let y = 0; y < height; y++) {
    const [r0, r1, r2] = mirrorRows(y, height, width);
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : borderIndex(x - 1, width, 'mirror');
      const x2 = x < width - 1 ? x + 1 : borderIndex(x + 1, width, 'mirror');
      const s =
        src[r0 + x0] + src[r0 + x] + src[r0 + x2] + (src[r1 + x0] + src[r1 + x] + src[r1 + x2]) + (src[r2 + x0] + src[r2 + x] + src[r2 + x2]);
      result[r1 + x] = s * scale;
    }
  }
  return result;
}

/** cv2.blur(src, (3, 3)) on uint8: 3x3 mean rounded to nearest, BORDER_REFLECT_101 (into `out` if given). */
export function boxBlur3U8(src: Uint8Array, width: number, height: number, out?: Uint8Array): Uint8Array {
  const result = out ?? new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const [r0, r1, r2] = mirrorRows(y, height, width);
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : borderIndex(x - 1, width, 'mirror');
      const x2 = x < width - 1 ? x + 1 : borderIndex(x + 1, width, 'mirror');
      const s =
        src[r0 + x0] + src[r0 + x] + src[r0 + x2] + src[r1 + x0] + src[r1 + x] + src[r1 + x2] + src[r2 + x0] + src[r2 + x] + src[r2 + x2];
      result[r1 + x] = ROUND_NINTHS[s];
    }
  }
  return result;
}

/** saturateU8(s / 9) for every sum s of nine bytes (s / 9 is the same double as in the formula). */
const ROUND_NINTHS = Uint8Array.from({ length: 9 * 255 + 1 }, (_, s) => saturateU8(s / 9));

/**
 * cv2.filter2D(src, CV_8U, kernel3x3) for an integer kernel (correlation, anchor at the
 * centre, BORDER_REFLECT_101), saturated to 0..255 (into `out` if given).
 */
export function filter3x3U8(src: Uint8Array, width: number, height: number, kernel: readonly number[], out?: Uint8Array): Uint8Array {
  const result = out ?? new Uint8Array(width * height);
  const [k0, k1, k2, k3, k4, k5, k6, k7, k8] = kernel;
  for (let y = 0; y < height; y++) {
    const [r0, r1, r2] = mirrorRows(y, height, width);
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : borderIndex(x - 1, width, 'mirror');
      const x2 = x < width - 1 ? x + 1 : borderIndex(x + 1, width, 'mirror');
      const s =
        k0 * src[r0 + x0] +
        k1 * src[r0 + x] +
        k2 * src[r0 + x2] +
        k3 * src[r1 + x0] +
        k4 * src[r1 + x] +
        k5 * src[r1 + x2] +
        k6 * src[r2 + x0] +
        k7 * src[r2 + x] +
        k8 * src[r2 + x2];
      result[r1 + x] = s < 0 ? 0 : s > 255 ? 255 : s;
    }
  }
  return result;
}

/** cv2.equalizeHist on uint8: lut[i] = round(cdf'(i) * 255 / (N - count(first level))); into `out[0..n)` if given. */
export function equalizeHist(src: Uint8Array, n = src.length, result?: Uint8Array): Uint8Array {
  const hist = new Int32Array(256);
  for (let i = 0; i < n; i++) hist[src[i]]++;
  const out = result ?? new Uint8Array(n);
  let i = 0;
  while (i < 256 && hist[i] === 0) i++;
  if (i === 256) {
    out.fill(0, 0, n);
    return out;
  }
  if (hist[i] === n) {
    out.fill(i, 0, n);
    return out;
  }
  const lut = new Uint8Array(256);
  const scale = Math.fround(255 / (n - hist[i]));
  let sum = 0;
  lut[i++] = 0;
  for (; i < 256; i++) {
    sum += hist[i];
    lut[i] = saturateU8(Math.fround(sum * scale));
  }
  for (let k = 0; k < n; k++) out[k] = lut[src[k]];
  return out;
}
