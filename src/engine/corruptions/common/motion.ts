/**
 * imagecorruptions' _motion_blur(x, radius, sigma, angle): a weighted sum of shifted
 * copies of the image along a line, each shift repeating the edge rows and columns.
 * width = 2 radius + 1 taps with one-sided gaussian weights exp(-i^2 / 2 sigma^2)
 * normalised to sum 1 (numpy's pairwise sum); tap i shifts by
 * (-ceil(i sin a - 0.5), -ceil(i cos a - 0.5)); the sum runs over the taps in order, in
 * float64, as the reference's loop does.
 *
 * Inputs: interleaved images (row-major, `channels` values per pixel) of float64 values
 * (snow's layer) or bytes (motion_blur); output: float64 rows.
 *
 * Source: bethgelab/imagecorruptions c959e65 imagecorruptions/corruptions.py
 * (_motion_blur, getOptimalKernelWidth1D and shift).
 */
import { pairwiseSum, type NumericArray } from './numpy';

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

