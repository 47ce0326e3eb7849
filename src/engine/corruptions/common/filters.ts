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

/**
 * scipy.ndimage.gaussian_filter(x, (sigmaY, sigmaX, 0)) produced row by row: axis 0 first,
 * then axis 1, an axis with sigma <= 1e-15 skipped, scipy's weights and summation order.
 * Input rows are pulled from `source(y, row)` in increasing order and kept in a ring of
 * 2 radius + 1 rows, so no image-sized float buffer is allocated (on the reference
 * machine, first-touching a fresh 20 MB array costs more than the filtering).
 */
export class GaussianRowStream {
  private readonly rowLen: number;
  private readonly ring: Float64Array;
  private readonly ringRows: number;
  private readonly weightsY: Float64Array | null;
  private readonly weightsX: Float64Array | null;
  private readonly vrow: Float64Array;
  private readonly hrow: Float64Array;
  private readonly line: Float64Array;
  private readonly padIndex: Int32Array;
  private readonly mode: BorderMode;
  private readonly float32: boolean;
  private readonly up: Int32Array;
  private readonly down: Int32Array;
  private generated = 0;
  private y = 0;

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
    // Every row that output row y reads, border-mapped, lies in [y - ry, y + ry].
    this.ringRows = Math.min(height, 2 * ry + 1);
    this.ring = new Float64Array(this.ringRows * this.rowLen);
    this.vrow = new Float64Array(this.rowLen);
    this.up = new Int32Array(ry + 1);
    this.down = new Int32Array(ry + 1);
    this.hrow = new Float64Array(this.rowLen);
    this.line = new Float64Array((width + 2 * rx) * channels);
    this.padIndex = new Int32Array(width + 2 * rx);
    for (let x = -rx; x < width + rx; x++) this.padIndex[x + rx] = borderIndex(x, width, this.mode);
  }

  private rowOffset(row: number): number {
    while (this.generated <= row) {
      const slot = this.generated % this.ringRows;
      this.source(this.generated, this.ring.subarray(slot * this.rowLen, (slot + 1) * this.rowLen));
      this.generated++;
    }
    return (row % this.ringRows) * this.rowLen;
  }

  /** The next output row (rows come in order 0, 1, ...); the array is reused by the next call. */
  next(): Float64Array {
    const y = this.y++;
    if (y >= this.height) throw new Error('GaussianRowStream: no rows left');
    const { rowLen, ring, vrow } = this;
    const wy = this.weightsY;
    if (wy) {
      const r = (wy.length - 1) >> 1;
      this.rowOffset(Math.min(this.height - 1, y + r));
      const { up, down } = this;
      for (let j = 1; j <= r; j++) {
        up[j] = this.rowOffset(borderIndex(y - j, this.height, this.mode));
        down[j] = this.rowOffset(borderIndex(y + j, this.height, this.mode));
      }
      verticalRow(ring, this.rowOffset(y), up, down, wy, vrow);
      if (this.float32) for (let i = 0; i < rowLen; i++) vrow[i] = Math.fround(vrow[i]);
    } else {
      vrow.set(ring.subarray(this.rowOffset(y), this.rowOffset(y) + rowLen));
    }
    const wx = this.weightsX;
    if (!wx) return vrow;
    correlateRow(vrow, this.hrow, this.line, this.padIndex, this.channels, wx);
    if (this.float32) for (let i = 0; i < rowLen; i++) this.hrow[i] = Math.fround(this.hrow[i]);
    return this.hrow;
  }
}

/**
 * Axis-0 pass for one output row: x[0]*w[0], then (x[-j] + x[j]) * w[j] for j = r down
 * to 1 (scipy's order), rows given as offsets into `ring`. Four columns at a time, each
 * in its own register sum: independent add chains run ~20 % faster in V8 than one
 * streaming pass per j.
 */
function verticalRow(ring: Float64Array, centre: number, up: Int32Array, down: Int32Array, weights: Float64Array, out: Float64Array): void {
  const r = (weights.length - 1) >> 1;
  const w0 = weights[r];
  const n = out.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const c = centre + i;
    let t0 = ring[c] * w0;
    let t1 = ring[c + 1] * w0;
    let t2 = ring[c + 2] * w0;
    let t3 = ring[c + 3] * w0;
    for (let j = r; j >= 1; j--) {
      const u = up[j] + i;
      const d = down[j] + i;
      const wj = weights[r - j];
      t0 += (ring[u] + ring[d]) * wj;
      t1 += (ring[u + 1] + ring[d + 1]) * wj;
      t2 += (ring[u + 2] + ring[d + 2]) * wj;
      t3 += (ring[u + 3] + ring[d + 3]) * wj;
    }
    out[i] = t0;
    out[i + 1] = t1;
    out[i + 2] = t2;
    out[i + 3] = t3;
  }
  for (; i < n; i++) {
    let t = ring[centre + i] * w0;
    for (let j = r; j >= 1; j--) t += (ring[up[j] + i] + ring[down[j] + i]) * weights[r - j];
    out[i] = t;
  }
}

/**
 * scipy correlate1d along one interleaved row with a symmetric kernel, scipy's order,
 * four outputs at a time (independent add chains: ~40 % faster than one at a time).
 */
function correlateRow(
  src: Float64Array,
  dst: Float64Array,
  line: Float64Array,
  padIndex: Int32Array,
  channels: number,
  weights: Float64Array,
): void {
  const r = (weights.length - 1) >> 1;
  const w0 = weights[r];
  for (let p = 0; p < padIndex.length; p++) {
    const s = padIndex[p] * channels;
    for (let c = 0; c < channels; c++) line[p * channels + c] = src[s + c];
  }
  const centre = r * channels;
  const n = dst.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const m = centre + i;
    let t0 = line[m] * w0;
    let t1 = line[m + 1] * w0;
    let t2 = line[m + 2] * w0;
    let t3 = line[m + 3] * w0;
    for (let j = r; j >= 1; j--) {
      const lo = m - j * channels;
      const hi = m + j * channels;
      const wj = weights[r - j];
      t0 += (line[lo] + line[hi]) * wj;
      t1 += (line[lo + 1] + line[hi + 1]) * wj;
      t2 += (line[lo + 2] + line[hi + 2]) * wj;
      t3 += (line[lo + 3] + line[hi + 3]) * wj;
    }
    dst[i] = t0;
    dst[i + 1] = t1;
    dst[i + 2] = t2;
    dst[i + 3] = t3;
  }
  for (; i < n; i++) {
    const m = centre + i;
    let t = line[m] * w0;
    for (let j = r; j >= 1; j--) t += (line[m - j * channels] + line[m + j * channels]) * weights[r - j];
    dst[i] = t;
  }
}

/** A row source reading an interleaved float64 image. */
export function rowsOf(src: Float64Array, rowLen: number): (y: number, row: Float64Array) => void {
  return (y, row) => row.set(src.subarray(y * rowLen, (y + 1) * rowLen));
}

/** A row source reading 8-bit pixels as the reference's x / 255 in float64. */
export function unitRowsOf(src: Uint8Array, rowLen: number): (y: number, row: Float64Array) => void {
  return (y, row) => {
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) row[i] = UNIT_F64[src[o + i]];
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

/**
 * One output row of sum(weight * shift(src, dx, dy)) over the taps, where a shift repeats
 * the edge (out[y][x] = src[clamp(y - dy)][clamp(x - dx)]); the first `out.length /
 * channels` columns. Summation runs over the taps in order, in float64, as the
 * reference's loop does.
 */
export function motionBlurRow(
  src: NumericArray,
  width: number,
  height: number,
  channels: number,
  taps: readonly MotionTap[],
  y: number,
  out: Float64Array,
): void {
  out.fill(0);
  const cols = out.length / channels;
  const rowLen = width * channels;
  const k = taps.length;
  const offsets = new Int32Array(k);
  const weights = new Float64Array(k);
  // Interior columns [xs, xe): every tap's source column is inside the image.
  let xs = 0;
  let xe = cols;
  for (let t = 0; t < k; t++) {
    const tap = taps[t];
    let sy = y - tap.dy;
    sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
    offsets[t] = sy * rowLen - tap.dx * channels;
    weights[t] = tap.weight;
    xs = Math.max(xs, tap.dx);
    xe = Math.min(xe, width + tap.dx);
  }
  if (xe <= xs) {
    xs = 0;
    xe = 0;
  }
  // Interior: register sums, taps in order (the reference's order), four values at a time.
  const end = xe * channels;
  let i = xs * channels;
  for (; i + 3 < end; i += 4) {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (let j = 0; j < k; j++) {
      const o = offsets[j] + i;
      const w = weights[j];
      t0 += w * src[o];
      t1 += w * src[o + 1];
      t2 += w * src[o + 2];
      t3 += w * src[o + 3];
    }
    out[i] = t0;
    out[i + 1] = t1;
    out[i + 2] = t2;
    out[i + 3] = t3;
  }
  for (; i < end; i++) {
    let t = 0;
    for (let j = 0; j < k; j++) t += weights[j] * src[offsets[j] + i];
    out[i] = t;
  }
  // Borders: tap by tap, repeating the edge columns.
  for (let t = 0; t < k; t++) {
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

/**
 * cv2.Canny(src, low, high) with apertureSize 3 and the L1 gradient: Sobel with replicated
 * borders, non-maximum suppression with OpenCV's 22.5/67.5 degree sectors (and its
 * strict/non-strict comparisons), hysteresis over 8-neighbours. Returns 0/255.
 */
export function canny(src: Uint8Array, width: number, height: number, low: number, high: number): Uint8Array {
  const n = width * height;
  const dxs = new Int16Array(n);
  const dys = new Int16Array(n);
  const mag = new Int32Array((width + 2) * (height + 2)); // zero border, as OpenCV's magnitude buffer
  const mw = width + 2;
  for (let y = 0; y < height; y++) {
    const ym = (y > 0 ? y - 1 : 0) * width;
    const y0 = y * width;
    const yp = (y < height - 1 ? y + 1 : height - 1) * width;
    for (let x = 0; x < width; x++) {
      const xm = x > 0 ? x - 1 : 0;
      const xp = x < width - 1 ? x + 1 : width - 1;
      const gx = src[ym + xp] + 2 * src[y0 + xp] + src[yp + xp] - (src[ym + xm] + 2 * src[y0 + xm] + src[yp + xm]);
      const gy = src[yp + xm] + 2 * src[yp + x] + src[yp + xp] - (src[ym + xm] + 2 * src[ym + x] + src[ym + xp]);
      dxs[y0 + x] = gx;
      dys[y0 + x] = gy;
      mag[(y + 1) * mw + x + 1] = Math.abs(gx) + Math.abs(gy);
    }
  }
  // 0: candidate (weak, passed NMS), 1: not an edge, 2: edge
  const map = new Uint8Array(n).fill(1);
  const stack = new Int32Array(n);
  let top = 0;
  const TG22 = 13573; // (int)(tan(22.5 deg) * 2^15 + 0.5)
  for (let y = 0; y < height; y++) {
    let prevFlag = false;
    for (let x = 0; x < width; x++) {
      const j = (y + 1) * mw + x + 1;
      const m = mag[j];
      let isMax = false;
      if (m > low) {
        const xs = dxs[y * width + x];
        const ys = dys[y * width + x];
        const ax = Math.abs(xs);
        const ay = Math.abs(ys) * 32768;
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
      const p = y * width + x;
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
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = map[i] === 2 ? 255 : 0;
  return out;
}

/**
 * cv2.distanceTransform(src, DIST_L2, 5): two-pass 5x5 chamfer distance to the nearest zero
 * pixel with OpenCV's weights 1, 1.4, 2.1969 in 16-bit fixed point; float32 result.
 */
export function distanceTransformL2Mask5(src: Uint8Array, width: number, height: number): Float32Array {
  const SHIFT = 16;
  const HV = Math.round(1 * (1 << SHIFT));
  const DIAG = Math.round(1.4 * (1 << SHIFT));
  const LONG = Math.round(2.1969 * (1 << SHIFT));
  const INIT = 2147483647;
  const border = 2;
  const tw = width + 2 * border;
  // unsigned 32-bit like OpenCV's buffer: INIT + LONG still fits
  const temp = new Uint32Array(tw * (height + 2 * border)).fill(INIT);
  const at = (y: number, x: number): number => (y + border) * tw + x + border;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const j = at(y, x);
      if (!src[y * width + x]) {
        temp[j] = 0;
        continue;
      }
      let t0 = temp[j - 2 * tw - 1] + LONG;
      let t = temp[j - 2 * tw + 1] + LONG;
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
  const out = new Float32Array(width * height);
  const scale = Math.fround(1 / (1 << SHIFT));
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const j = at(y, x);
      let t0 = temp[j];
      if (t0 > HV) {
        let t = temp[j + 2 * tw + 1] + LONG;
        if (t0 > t) t0 = t;
        t = temp[j + 2 * tw - 1] + LONG;
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
      out[y * width + x] = t0 * scale;
    }
  }
  return out;
}

/** cv2.blur(src, (3, 3)) on one float channel: 3x3 mean, BORDER_REFLECT_101, float32 result. */
export function boxBlur3Float(src: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const scale = 1 / 9;
  for (let y = 0; y < height; y++) {
    const r0 = borderIndex(y - 1, height, 'mirror') * width;
    const r1 = y * width;
    const r2 = borderIndex(y + 1, height, 'mirror') * width;
    for (let x = 0; x < width; x++) {
      const x0 = borderIndex(x - 1, width, 'mirror');
      const x2 = borderIndex(x + 1, width, 'mirror');
      const s =
        src[r0 + x0] + src[r0 + x] + src[r0 + x2] + (src[r1 + x0] + src[r1 + x] + src[r1 + x2]) + (src[r2 + x0] + src[r2 + x] + src[r2 + x2]);
      out[r1 + x] = s * scale;
    }
  }
  return out;
}

/** cv2.blur(src, (3, 3)) on uint8: 3x3 mean rounded to nearest, BORDER_REFLECT_101. */
export function boxBlur3U8(src: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = borderIndex(y - 1, height, 'mirror') * width;
    const r1 = y * width;
    const r2 = borderIndex(y + 1, height, 'mirror') * width;
    for (let x = 0; x < width; x++) {
      const x0 = borderIndex(x - 1, width, 'mirror');
      const x2 = borderIndex(x + 1, width, 'mirror');
      const s =
        src[r0 + x0] + src[r0 + x] + src[r0 + x2] + src[r1 + x0] + src[r1 + x] + src[r1 + x2] + src[r2 + x0] + src[r2 + x] + src[r2 + x2];
      out[r1 + x] = saturateU8(s / 9);
    }
  }
  return out;
}

/**
 * cv2.filter2D(src, CV_8U, kernel3x3) for an integer kernel (correlation, anchor at the
 * centre, BORDER_REFLECT_101), saturated to 0..255.
 */
export function filter3x3U8(src: Uint8Array, width: number, height: number, kernel: readonly number[]): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const rows = [borderIndex(y - 1, height, 'mirror') * width, y * width, borderIndex(y + 1, height, 'mirror') * width];
    for (let x = 0; x < width; x++) {
      const cols = [borderIndex(x - 1, width, 'mirror'), x, borderIndex(x + 1, width, 'mirror')];
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += kernel[i * 3 + j] * src[rows[i] + cols[j]];
      out[y * width + x] = s < 0 ? 0 : s > 255 ? 255 : s;
    }
  }
  return out;
}

/** cv2.equalizeHist on uint8: lut[i] = round(cdf'(i) * 255 / (N - count(first level))). */
export function equalizeHist(src: Uint8Array): Uint8Array {
  const hist = new Int32Array(256);
  for (let i = 0; i < src.length; i++) hist[src[i]]++;
  const out = new Uint8Array(src.length);
  let i = 0;
  while (i < 256 && hist[i] === 0) i++;
  if (i === 256) return out;
  if (hist[i] === src.length) {
    out.fill(i);
    return out;
  }
  const lut = new Uint8Array(256);
  const scale = Math.fround(255 / (src.length - hist[i]));
  let sum = 0;
  lut[i++] = 0;
  for (; i < 256; i++) {
    sum += hist[i];
    lut[i] = saturateU8(Math.fround(sum * scale));
  }
  for (let k = 0; k < src.length; k++) out[k] = lut[src[k]];
  return out;
}
