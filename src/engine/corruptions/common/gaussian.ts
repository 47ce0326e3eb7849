/**
 * scipy.ndimage.gaussian_filter (what skimage.filters.gaussian calls), reproduced to the
 * bit in float64: separable correlate1d with scipy's weights (_gaussian_kernel1d, radius
 * int(truncate * sigma + 0.5), normalised by numpy's pairwise sum), axis 0 first, then
 * axis 1, an axis with sigma <= 1e-15 skipped, scipy's summation order per value
 * (t = x[0] w[0], then t += (x[-j] + x[j]) w[j] for j = r down to 1) and its border
 * modes (common/border.ts). The channel axis is never filtered (skimage channel_axis=-1).
 * With `float32`, each pass's output is rounded to float32, as scipy does for a float32
 * input.
 *
 * Inputs: interleaved images (row-major, `channels` values per pixel, as RgbImage),
 * supplied row by row by a row source; output: float64 rows.
 *
 * Why streamed: on the reference machine (a VM), first-touch page faults make a fresh
 * image-sized float array cost more than the arithmetic, so GaussianRowStream keeps only a
 * ring of rows.
 *
 * Sources: scipy 1.10 scipy/ndimage/_filters.py (gaussian_filter, _gaussian_kernel1d),
 * scipy/ndimage/src/ni_filters.c (NI_Correlate1D: the symmetric-kernel summation order).
 */
import { borderIndex, type BorderMode } from './border';
import { pairwiseSum } from './numpy';
import { acquireF64, releaseF64 } from './scratch';
import { UNIT_F64 } from './unit';

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
