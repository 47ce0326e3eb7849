/**
 * OpenCV 4.6 8-bit primitives that spatter's water path is built from, reproduced to the
 * bit: Canny (aperture 3, L1 gradient), distanceTransform (DIST_L2, 5x5 mask), 3x3 box
 * blur on float32 and uint8, filter2D with a 3x3 integer kernel, equalizeHist, and
 * saturate_cast<uchar>. Borders are OpenCV's defaults (BORDER_REFLECT_101, i.e. 'mirror'
 * in common/border.ts; Sobel inside Canny replicates). Single-channel, row-major images.
 *
 * Sources: OpenCV 4.6.0 modules/imgproc/src/canny.cpp, distransform.cpp, box_filter
 * .simd.hpp, filter.simd.hpp, histogram.cpp (equalizeHist), modules/core/include/opencv2/
 * core/saturate.hpp.
 */
import { borderIndex } from './border';

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
