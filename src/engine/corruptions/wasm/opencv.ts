/**
 * The OpenCV 4.6 8-bit primitives of spatter's water path, bit for bit
 * ../common/opencv.ts (which documents what each reproduces and its sources): Canny
 * (aperture 3, L1 gradient), distanceTransform (DIST_L2, 5x5 mask), 3x3 box blurs on
 * float32 and uint8, filter2D with a 3x3 integer kernel, equalizeHist. Single-channel,
 * row-major; BORDER_REFLECT_101 ('mirror') unless stated. Scalar code: Canny's
 * hysteresis and the distance transform's passes are sequential by nature, and these run
 * once per spatter call on one channel.
 */
import { MODE_MIRROR, borderIndex } from './common';

/** OpenCV's saturate_cast<uchar> of a float: round half to even, clamp to 0..255. */
export function saturateU8(x: f64): u8 {
  if (!(x > 0)) return 0;
  if (x >= 255) return 255;
  return <u8>(<i32>nearest<f64>(x));
}

/** cv2.Canny(src, low, high): 0/255 into dst. Scratch: dx, dy (n int16), mag ((w + 2)(h + 2) int32), map (n bytes), stack (n int32). */
export function canny(src: usize, dst: usize, width: i32, height: i32, low: i32, high: i32, dxs: usize, dys: usize, mag: usize, map: usize, stack: usize): void {
  const n = width * height;
  if (n == 0) return;
  const mw = width + 2;
  memory.fill(mag, 0, <usize>mw << 2);
  memory.fill(mag + (<usize>((height + 1) * mw) << 2), 0, <usize>mw << 2);
  for (let y = 1; y <= height; y++) {
    store<i32>(mag + (<usize>(y * mw) << 2), 0);
    store<i32>(mag + (<usize>(y * mw + width + 1) << 2), 0);
  }
  for (let y = 0; y < height; y++) {
    const above = y > 0 ? y - 1 : 0;
    const below = y < height - 1 ? y + 1 : height - 1;
    const ym = src + <usize>(above * width);
    const y0 = src + <usize>(y * width);
    const yp = src + <usize>(below * width);
    let aPrev = <i32>load<u8>(ym) + 2 * <i32>load<u8>(y0) + <i32>load<u8>(yp);
    let dPrev = <i32>load<u8>(yp) - <i32>load<u8>(ym);
    let aCur = aPrev;
    let dCur = dPrev;
    const m0 = mag + (<usize>((y + 1) * mw + 1) << 2);
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const xp = x < width - 1 ? x + 1 : x;
      const aNext = <i32>load<u8>(ym + xp) + 2 * <i32>load<u8>(y0 + xp) + <i32>load<u8>(yp + xp);
      const dNext = <i32>load<u8>(yp + xp) - <i32>load<u8>(ym + xp);
      const gx = aNext - aPrev;
      const gy = dPrev + 2 * dCur + dNext;
      store<i16>(dxs + (<usize>(row + x) << 1), <i16>gx);
      store<i16>(dys + (<usize>(row + x) << 1), <i16>gy);
      store<i32>(m0 + (<usize>x << 2), (gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy));
      aPrev = aCur;
      dPrev = dCur;
      aCur = aNext;
      dCur = dNext;
    }
  }
  // 0: candidate (weak, passed NMS), 1: not an edge, 2: edge
  let top = 0;
  const TG22 = 13573;
  for (let y = 0; y < height; y++) {
    let prevFlag = false;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const j = mag + (<usize>((y + 1) * mw + x + 1) << 2);
      const m = load<i32>(j);
      const p = row + x;
      let isMax = false;
      if (m > low) {
        const xs = <i32>load<i16>(dxs + (<usize>p << 1));
        const ys = <i32>load<i16>(dys + (<usize>p << 1));
        const ax = xs < 0 ? -xs : xs;
        const ay = (ys < 0 ? -ys : ys) * 32768;
        const tg22x = ax * TG22;
        if (ay < tg22x) {
          isMax = m > load<i32>(j - 4) && m >= load<i32>(j + 4);
        } else {
          const tg67x = tg22x + ax * 65536;
          if (ay > tg67x) {
            isMax = m > load<i32>(j - (<usize>mw << 2)) && m >= load<i32>(j + (<usize>mw << 2));
          } else {
            const s = (xs ^ ys) < 0 ? -1 : 1;
            isMax = m > load<i32>(j - (<usize>(mw + s) << 2)) && m > load<i32>(j + (<usize>(mw + s) << 2));
          }
        }
      }
      if (!isMax) {
        prevFlag = false;
        store<u8>(map + p, 1);
        continue;
      }
      if (!prevFlag && m > high && (y == 0 || load<u8>(map + p - width) != 2)) {
        store<u8>(map + p, 2);
        store<i32>(stack + (<usize>(top++) << 2), p);
        prevFlag = true;
      } else {
        store<u8>(map + p, 0);
      }
    }
  }
  while (top > 0) {
    const p = load<i32>(stack + (<usize>(--top) << 2));
    const y = p / width;
    const x = p - y * width;
    for (let oy = -1; oy <= 1; oy++) {
      const yy = y + oy;
      if (yy < 0 || yy >= height) continue;
      for (let ox = -1; ox <= 1; ox++) {
        const xx = x + ox;
        if (xx < 0 || xx >= width) continue;
        const q = yy * width + xx;
        if (load<u8>(map + q) == 0) {
          store<u8>(map + q, 2);
          store<i32>(stack + (<usize>(top++) << 2), q);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) store<u8>(dst + i, load<u8>(map + i) == 2 ? 255 : 0);
}

/** cv2.distanceTransform(src, DIST_L2, 5) into dst (float32). Scratch: temp ((w + 4)(h + 4) uint32). */
export function distanceTransform(src: usize, dst: usize, width: i32, height: i32, temp: usize): void {
  const SHIFT = 16;
  const HV: u32 = 1 << SHIFT;
  const DIAG: u32 = <u32>Math.round(1.4 * <f64>(1 << SHIFT));
  const LONG: u32 = <u32>Math.round(2.1969 * <f64>(1 << SHIFT));
  const INIT: u32 = 2147483647;
  const border = 2;
  const tw = width + 2 * border;
  const size = tw * (height + 2 * border);
  for (let i = 0; i < size; i++) store<u32>(temp + (<usize>i << 2), INIT);
  const tw2 = 2 * tw;
  for (let y = 0; y < height; y++) {
    let j = (y + border) * tw + border;
    const row = y * width;
    for (let x = 0; x < width; x++, j++) {
      const tj = temp + (<usize>j << 2);
      if (!load<u8>(src + row + x)) {
        store<u32>(tj, 0);
        continue;
      }
      let t0 = load<u32>(temp + (<usize>(j - tw2 - 1) << 2)) + LONG;
      let t = load<u32>(temp + (<usize>(j - tw2 + 1) << 2)) + LONG;
      if (t0 > t) t0 = t;
      t = load<u32>(temp + (<usize>(j - tw - 2) << 2)) + LONG;
      if (t0 > t) t0 = t;
      t = load<u32>(temp + (<usize>(j - tw - 1) << 2)) + DIAG;
      if (t0 > t) t0 = t;
      t = load<u32>(temp + (<usize>(j - tw) << 2)) + HV;
      if (t0 > t) t0 = t;
      t = load<u32>(temp + (<usize>(j - tw + 1) << 2)) + DIAG;
      if (t0 > t) t0 = t;
      t = load<u32>(temp + (<usize>(j - tw + 2) << 2)) + LONG;
      if (t0 > t) t0 = t;
      t = load<u32>(tj - 4) + HV;
      if (t0 > t) t0 = t;
      store<u32>(tj, t0);
    }
  }
  const scale = <f64>(<f32>(1.0 / <f64>(1 << SHIFT)));
  for (let y = height - 1; y >= 0; y--) {
    let j = (y + border) * tw + border + width - 1;
    const row = y * width;
    for (let x = width - 1; x >= 0; x--, j--) {
      const tj = temp + (<usize>j << 2);
      let t0 = load<u32>(tj);
      if (t0 > HV) {
        let t = load<u32>(temp + (<usize>(j + tw2 + 1) << 2)) + LONG;
        if (t0 > t) t0 = t;
        t = load<u32>(temp + (<usize>(j + tw2 - 1) << 2)) + LONG;
        if (t0 > t) t0 = t;
        t = load<u32>(temp + (<usize>(j + tw + 2) << 2)) + LONG;
        if (t0 > t) t0 = t;
        t = load<u32>(temp + (<usize>(j + tw + 1) << 2)) + DIAG;
        if (t0 > t) t0 = t;
        t = load<u32>(temp + (<usize>(j + tw) << 2)) + HV;
        if (t0 > t) t0 = t;
        t = load<u32>(temp + (<usize>(j + tw - 1) << 2)) + DIAG;
        if (t0 > t) t0 = t;
        t = load<u32>(temp + (<usize>(j + tw - 2) << 2)) + LONG;
        if (t0 > t) t0 = t;
        t = load<u32>(tj + 4) + HV;
        if (t0 > t) t0 = t;
        store<u32>(tj, t0);
      }
      store<f32>(dst + (<usize>(row + x) << 2), <f32>(<f64>t0 * scale));
    }
  }
}

function mirror(i: i32, len: i32): i32 {
  return borderIndex(i, len, MODE_MIRROR);
}

/** cv2.blur(src, (3, 3)) on float32: the nine values summed in OpenCV's grouping, times 1/9, float32. */
export function boxBlur3Float(src: usize, dst: usize, width: i32, height: i32): void {
  const scale: f64 = 1.0 / 9.0;
  for (let y = 0; y < height; y++) {
    const r0 = mirror(y - 1, height) * width;
    const r1 = y * width;
    const r2 = mirror(y + 1, height) * width;
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : mirror(x - 1, width);
      const x2 = x < width - 1 ? x + 1 : mirror(x + 1, width);
      const s =
        f(src, r0 + x0) + f(src, r0 + x) + f(src, r0 + x2) + (f(src, r1 + x0) + f(src, r1 + x) + f(src, r1 + x2)) + (f(src, r2 + x0) + f(src, r2 + x) + f(src, r2 + x2));
      store<f32>(dst + (<usize>(r1 + x) << 2), <f32>(s * scale));
    }
  }
}

function f(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

function b(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + i);
}

/** cv2.blur(src, (3, 3)) on uint8: the sum of nine, divided by 9, rounded half to even. */
export function boxBlur3U8(src: usize, dst: usize, width: i32, height: i32): void {
  for (let y = 0; y < height; y++) {
    const r0 = mirror(y - 1, height) * width;
    const r1 = y * width;
    const r2 = mirror(y + 1, height) * width;
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : mirror(x - 1, width);
      const x2 = x < width - 1 ? x + 1 : mirror(x + 1, width);
      const s = b(src, r0 + x0) + b(src, r0 + x) + b(src, r0 + x2) + b(src, r1 + x0) + b(src, r1 + x) + b(src, r1 + x2) + b(src, r2 + x0) + b(src, r2 + x) + b(src, r2 + x2);
      store<u8>(dst + r1 + x, saturateU8(<f64>s / 9.0));
    }
  }
}

/** cv2.filter2D(src, CV_8U, k) for an integer 3x3 kernel (9 int32 at k), saturated. */
export function filter3x3U8(src: usize, dst: usize, width: i32, height: i32, k: usize): void {
  const k0 = load<i32>(k);
  const k1 = load<i32>(k, 4);
  const k2 = load<i32>(k, 8);
  const k3 = load<i32>(k, 12);
  const k4 = load<i32>(k, 16);
  const k5 = load<i32>(k, 20);
  const k6 = load<i32>(k, 24);
  const k7 = load<i32>(k, 28);
  const k8 = load<i32>(k, 32);
  for (let y = 0; y < height; y++) {
    const r0 = mirror(y - 1, height) * width;
    const r1 = y * width;
    const r2 = mirror(y + 1, height) * width;
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : mirror(x - 1, width);
      const x2 = x < width - 1 ? x + 1 : mirror(x + 1, width);
      const s =
        k0 * b(src, r0 + x0) +
        k1 * b(src, r0 + x) +
        k2 * b(src, r0 + x2) +
        k3 * b(src, r1 + x0) +
        k4 * b(src, r1 + x) +
        k5 * b(src, r1 + x2) +
        k6 * b(src, r2 + x0) +
        k7 * b(src, r2 + x) +
        k8 * b(src, r2 + x2);
      store<u8>(dst + r1 + x, <u8>(s < 0 ? 0 : s > 255 ? 255 : s));
    }
  }
}

/** cv2.equalizeHist of n bytes into dst. Scratch: hist (256 int32), lut (256 bytes). */
export function equalizeHist(src: usize, dst: usize, n: i32, hist: usize, lut: usize): void {
  memory.fill(hist, 0, 1024);
  for (let i = 0; i < n; i++) {
    const h = hist + (<usize>load<u8>(src + i) << 2);
    store<i32>(h, load<i32>(h) + 1);
  }
  let i = 0;
  while (i < 256 && load<i32>(hist + (<usize>i << 2)) == 0) i++;
  if (i == 256) {
    memory.fill(dst, 0, <usize>n);
    return;
  }
  const first = load<i32>(hist + (<usize>i << 2));
  if (first == n) {
    memory.fill(dst, <u8>i, <usize>n);
    return;
  }
  const scale = <f64>(<f32>(255.0 / <f64>(n - first)));
  let sum = 0;
  store<u8>(lut + i++, 0);
  for (; i < 256; i++) {
    sum += load<i32>(hist + (<usize>i << 2));
    store<u8>(lut + i, saturateU8(<f64>(<f32>(<f64>sum * scale))));
  }
  for (let k = 0; k < n; k++) store<u8>(dst + k, load<u8>(lut + <usize>load<u8>(src + k)));
}
