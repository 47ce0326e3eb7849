/**
 * zoom_blur, bit for bit ../kernels/zoom_blur.ts: the average of the image and its
 * zoomed layers (scipy.ndimage.zoom order 1 of a centre crop, the top-left H x W kept),
 * summed in float32 in the reference's layer order, then uint8(clip((x + sum) / count,
 * 0, 1) * 255) in float32. The layer plans (source rows and columns, weights) are built
 * by JavaScript (zoomAxis: the same doubles) and passed as a table, 13 int32 per layer:
 *   identity, validRows, validLen, top, rowsI0, rowsI1, rowsW0, rowsW1, c0, c1, u0, u1, cols
 * (pointers into this memory; identity = 1 for the zoom-1 layer, which is the image).
 *
 * Each layer keeps its last two interpolated source rows (rows are read in non-
 * decreasing order). The blend acc[i] += float32(a[i] wy0 + b[i] wy1) runs in f64x2
 * lanes, four values per step, and rounds through float32 exactly where the JavaScript
 * Float32Array stores do. Sums and products of two float32 values are done in f32x4 lanes:
 * JavaScript computes them in float64 and rounds to float32, which gives the same float32
 * (double rounding is innocuous when the wider format has at least 2 p + 2 bits, 53 >= 50:
 * S. A. Figueroa, "When is double rounding innocuous?", SIGNUM Newsletter 30(3), 1995).
 */
import { unitImage32 } from './common';

const DESC: i32 = 13;

function interpolateRow(unit: usize, s: i32, line: usize, c0: usize, c1: usize, u0: usize, u1: usize, n: i32): void {
  for (let x = 0; x < n; x++) {
    const a = unit + (<usize>(s + load<i32>(c0 + (<usize>x << 2))) << 2);
    const b = unit + (<usize>(s + load<i32>(c1 + (<usize>x << 2))) << 2);
    const w0 = load<f64>(u0 + (<usize>x << 3));
    const w1 = load<f64>(u1 + (<usize>x << 3));
    const o = line + (<usize>(x * 3) << 3);
    store<f64>(o, <f64>load<f32>(a) * w0 + <f64>load<f32>(b) * w1);
    store<f64>(o, <f64>load<f32>(a, 4) * w0 + <f64>load<f32>(b, 4) * w1, 8);
    store<f64>(o, <f64>load<f32>(a, 8) * w0 + <f64>load<f32>(b, 8) * w1, 16);
  }
}

/** acc[i] = float32(acc[i] + float32(a[i] wy0 + b[i] wy1)) for i < n. */
function blendRow(acc: usize, a: usize, b: usize, wy0: f64, wy1: f64, n: i32): void {
  const w0 = f64x2.splat(wy0);
  const w1 = f64x2.splat(wy1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pa = a + (<usize>i << 3);
    const pb = b + (<usize>i << 3);
    const v0 = f64x2.add(f64x2.mul(v128.load(pa), w0), f64x2.mul(v128.load(pb), w1));
    const v1 = f64x2.add(f64x2.mul(v128.load(pa, 16), w0), f64x2.mul(v128.load(pb, 16), w1));
    const pacc = acc + (<usize>i << 2);
    const v = i32x4.shuffle(f32x4.demote_f64x2_zero(v0), f32x4.demote_f64x2_zero(v1), 0, 1, 4, 5);
    v128.store(pacc, f32x4.add(v128.load(pacc), v));
  }
  for (; i < n; i++) {
    const p = acc + (<usize>i << 2);
    const v = <f32>(load<f64>(a + (<usize>i << 3)) * wy0 + load<f64>(b + (<usize>i << 3)) * wy1);
    store<f32>(p, <f32>(<f64>load<f32>(p) + <f64>v));
  }
}

/** out[i] = uint8(clip(float32(float32(x + acc) * inverse), 0, 1) * 255) in float32, sixteen values per step. */
function finishRow(x: usize, acc: usize, out: usize, n: i32, inverse: f64): void {
  const inv = f64x2.splat(inverse);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const b0 = finish4(x, acc, i, inv);
    const b1 = finish4(x, acc, i + 4, inv);
    const b2 = finish4(x, acc, i + 8, inv);
    const b3 = finish4(x, acc, i + 12, inv);
    v128.store(out + i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(b0, b1), i16x8.narrow_i32x4_s(b2, b3)));
  }
  for (; i < n; i++) store<u8>(out + i, finishValue(load<f32>(x + (<usize>i << 2)), load<f32>(acc + (<usize>i << 2)), inverse));
}

function finish4(x: usize, acc: usize, i: i32, inv: v128): v128 {
  const s = f32x4.add(v128.load(x + (<usize>i << 2)), v128.load(acc + (<usize>i << 2)));
  const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(s), inv));
  const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(s, s, 2, 3, 0, 1)), inv));
  const v = f32x4.pmax(f32x4.pmin(i32x4.shuffle(lo, hi, 0, 1, 4, 5), f32x4.splat(1)), f32x4.splat(0));
  return i32x4.trunc_sat_f32x4_s(f32x4.mul(v, f32x4.splat(255)));
}

function finishValue(x: f32, acc: f32, inverse: f64): u8 {
  const v = <f64>(<f32>(<f64>(<f32>(<f64>x + <f64>acc)) * inverse));
  return v <= 0 ? 0 : v >= 1 ? 255 : <u8>(<i32>(<f32>(v * 255.0)));
}

/**
 * dst = zoom_blur(src) for a width x height RGB image. layers: count descriptors (see the
 * header). Scratch: unit (width * height * 3 float32), lines (2 * count * width * 3
 * float64), acc (width * 3 float32), state (4 * count int32).
 */
export function zoomBlur(src: usize, dst: usize, width: i32, height: i32, layers: usize, count: i32, unit: usize, lines: usize, acc: usize, state: usize): void {
  const rowLen = width * 3;
  const n = rowLen * height;
  unitImage32(src, unit, n);
  const inverse = 1.0 / <f64>(count + 1);
  // state: lineA, lineB (offsets into lines, in values), rowA, rowB (source rows held)
  const lineA = state;
  const lineB = state + (<usize>count << 2);
  const rowA = state + (<usize>(2 * count) << 2);
  const rowB = state + (<usize>(3 * count) << 2);
  for (let l = 0; l < count; l++) {
    store<i32>(lineA + (<usize>l << 2), 2 * l * rowLen);
    store<i32>(lineB + (<usize>l << 2), (2 * l + 1) * rowLen);
    store<i32>(rowA + (<usize>l << 2), -1);
    store<i32>(rowB + (<usize>l << 2), -1);
  }
  for (let y = 0; y < height; y++) {
    const o = y * rowLen;
    const urow = unit + (<usize>o << 2);
    if (load<i32>(layers) == 1) memory.copy(acc, urow, <usize>rowLen << 2);
    else memory.fill(acc, 0, <usize>rowLen << 2);
    for (let l = 0; l < count; l++) {
      const d = layers + (<usize>(l * DESC) << 2);
      if (load<i32>(d) == 1) {
        if (l > 0) {
          let i = 0;
          for (; i + 4 <= rowLen; i += 4) {
            const p = acc + (<usize>i << 2);
            v128.store(p, f32x4.add(v128.load(p), v128.load(urow + (<usize>i << 2))));
          }
          for (; i < rowLen; i++) {
            const p = acc + (<usize>i << 2);
            store<f32>(p, <f32>(<f64>load<f32>(p) + <f64>load<f32>(urow + (<usize>i << 2))));
          }
        }
        continue;
      }
      if (y >= load<i32>(d, 4)) continue;
      const validLen = load<i32>(d, 8);
      const top = load<i32>(d, 12);
      const r0 = load<i32>(<usize>load<i32>(d, 16) + (<usize>y << 2));
      const r1 = load<i32>(<usize>load<i32>(d, 20) + (<usize>y << 2));
      const wy0 = load<f64>(<usize>load<i32>(d, 24) + (<usize>y << 3));
      const wy1 = load<f64>(<usize>load<i32>(d, 28) + (<usize>y << 3));
      const c0 = <usize>load<i32>(d, 32);
      const c1 = <usize>load<i32>(d, 36);
      const u0 = <usize>load<i32>(d, 40);
      const u1 = <usize>load<i32>(d, 44);
      const cols = load<i32>(d, 48);
      const la = lineA + (<usize>l << 2);
      const lb = lineB + (<usize>l << 2);
      const ra = rowA + (<usize>l << 2);
      const rb = rowB + (<usize>l << 2);
      if (r0 != load<i32>(ra)) {
        if (r0 == load<i32>(rb)) {
          const t = load<i32>(la);
          store<i32>(la, load<i32>(lb));
          store<i32>(lb, t);
          store<i32>(rb, -1);
        } else {
          interpolateRow(unit, (top + r0) * rowLen, lines + (<usize>load<i32>(la) << 3), c0, c1, u0, u1, cols);
        }
        store<i32>(ra, r0);
      }
      if (r1 != load<i32>(rb)) {
        const dstLine = lines + (<usize>load<i32>(lb) << 3);
        if (r1 == load<i32>(ra)) memory.copy(dstLine, lines + (<usize>load<i32>(la) << 3), <usize>rowLen << 3);
        else interpolateRow(unit, (top + r1) * rowLen, dstLine, c0, c1, u0, u1, cols);
        store<i32>(rb, r1);
      }
      blendRow(acc, lines + (<usize>load<i32>(la) << 3), lines + (<usize>load<i32>(lb) << 3), wy0, wy1, validLen);
    }
    finishRow(urow, acc, dst + o, rowLen, inverse);
  }
}
