/**
 * imagecorruptions' _motion_blur as ../common/motion.ts computes it, bit for bit: one
 * output row is sum_j w_j * src[clamp(y - dy_j)][clamp(x - dx_j)] over the taps in order,
 * from t = 0, in float64. Taps (dx, dy, weight) come from JavaScript (motionBlurTaps).
 *
 * Interior columns [xs, xe), where no tap's column is clamped, run in f64x2 lanes, sixteen
 * values per step for bytes (eight for float64); each lane sums the taps in the scalar order. The border columns are
 * summed tap by tap like motionBorders. Sources: 8-bit images (motion_blur) or float64
 * (snow's layer); `channels` values per pixel.
 */
import { clipByte, clipBytes2, store8Bytes } from './common';

const SRC_U8: i32 = 0;
const SRC_F64: i32 = 1;

/** Room for this many taps: the published parameters give at most 41 (motion_blur severity 5) and 25 (snow). */
export const MAX_TAPS: i32 = 256;
/** Per-row tap offsets (source row start minus column shift, in values) and weights. */
const offsets: usize = memory.data(MAX_TAPS * 4);
const weightsBuf: usize = memory.data(MAX_TAPS * 8);

function sample(src: usize, kind: i32, i: i32): f64 {
  return kind == SRC_U8 ? <f64>load<u8>(src + i) : load<f64>(src + (<usize>i << 3));
}

/**
 * out[0 .. cols * channels) = row y of the blur (float64). taps: k records of
 * (dx: f64, dy: f64, weight: f64).
 */
function motionRow(src: usize, kind: i32, width: i32, height: i32, channels: i32, taps: usize, k: i32, y: i32, out: usize, cols: i32): void {
  const rowLen = width * channels;
  let xs = 0;
  let xe = cols;
  for (let t = 0; t < k; t++) {
    const dx = <i32>load<f64>(taps + (<usize>t * 24));
    const dy = <i32>load<f64>(taps + (<usize>t * 24), 8);
    let sy = y - dy;
    sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
    store<i32>(offsets + (<usize>t << 2), sy * rowLen - dx * channels);
    store<f64>(weightsBuf + (<usize>t << 3), load<f64>(taps + (<usize>t * 24), 16));
    xs = max(xs, dx);
    xe = min(xe, width + dx);
  }
  if (xe <= xs) {
    xs = 0;
    xe = 0;
  }
  const end = xe * channels;
  let i = xs * channels;
  if (kind == SRC_U8) {
    // sixteen values (one 16-byte load) per tap and step, then eight
    for (; i + 16 <= end; i += 16) {
      let t0 = f64x2.splat(0);
      let t1 = t0;
      let t2 = t0;
      let t3 = t0;
      let t4 = t0;
      let t5 = t0;
      let t6 = t0;
      let t7 = t0;
      for (let j = 0; j < k; j++) {
        const w = f64x2.splat(load<f64>(weightsBuf + (<usize>j << 3)));
        const b = v128.load(src + <usize>(load<i32>(offsets + (<usize>j << 2)) + i));
        const l = i16x8.extend_low_i8x16_u(b);
        const h = i16x8.extend_high_i8x16_u(b);
        const l0 = i32x4.extend_low_i16x8_u(l);
        const l1 = i32x4.extend_high_i16x8_u(l);
        const h0 = i32x4.extend_low_i16x8_u(h);
        const h1 = i32x4.extend_high_i16x8_u(h);
        t0 = f64x2.add(t0, f64x2.mul(w, f64x2.convert_low_i32x4_s(l0)));
        t1 = f64x2.add(t1, f64x2.mul(w, f64x2.convert_low_i32x4_s(i32x4.shuffle(l0, l0, 2, 3, 0, 1))));
        t2 = f64x2.add(t2, f64x2.mul(w, f64x2.convert_low_i32x4_s(l1)));
        t3 = f64x2.add(t3, f64x2.mul(w, f64x2.convert_low_i32x4_s(i32x4.shuffle(l1, l1, 2, 3, 0, 1))));
        t4 = f64x2.add(t4, f64x2.mul(w, f64x2.convert_low_i32x4_s(h0)));
        t5 = f64x2.add(t5, f64x2.mul(w, f64x2.convert_low_i32x4_s(i32x4.shuffle(h0, h0, 2, 3, 0, 1))));
        t6 = f64x2.add(t6, f64x2.mul(w, f64x2.convert_low_i32x4_s(h1)));
        t7 = f64x2.add(t7, f64x2.mul(w, f64x2.convert_low_i32x4_s(i32x4.shuffle(h1, h1, 2, 3, 0, 1))));
      }
      const o = out + (<usize>i << 3);
      v128.store(o, t0);
      v128.store(o, t1, 16);
      v128.store(o, t2, 32);
      v128.store(o, t3, 48);
      v128.store(o, t4, 64);
      v128.store(o, t5, 80);
      v128.store(o, t6, 96);
      v128.store(o, t7, 112);
    }
    for (; i + 8 <= end; i += 8) {
      let t0 = f64x2.splat(0);
      let t1 = f64x2.splat(0);
      let t2 = f64x2.splat(0);
      let t3 = f64x2.splat(0);
      for (let j = 0; j < k; j++) {
        const w = f64x2.splat(load<f64>(weightsBuf + (<usize>j << 3)));
        const b = v128.load8x8_u(src + <usize>(load<i32>(offsets + (<usize>j << 2)) + i));
        const lo = i32x4.extend_low_i16x8_u(b);
        const hi = i32x4.extend_high_i16x8_u(b);
        t0 = f64x2.add(t0, f64x2.mul(w, f64x2.convert_low_i32x4_s(lo)));
        t1 = f64x2.add(t1, f64x2.mul(w, f64x2.convert_low_i32x4_s(i32x4.shuffle(lo, lo, 2, 3, 0, 1))));
        t2 = f64x2.add(t2, f64x2.mul(w, f64x2.convert_low_i32x4_s(hi)));
        t3 = f64x2.add(t3, f64x2.mul(w, f64x2.convert_low_i32x4_s(i32x4.shuffle(hi, hi, 2, 3, 0, 1))));
      }
      const o = out + (<usize>i << 3);
      v128.store(o, t0);
      v128.store(o, t1, 16);
      v128.store(o, t2, 32);
      v128.store(o, t3, 48);
    }
  } else {
    for (; i + 8 <= end; i += 8) {
      let t0 = f64x2.splat(0);
      let t1 = f64x2.splat(0);
      let t2 = f64x2.splat(0);
      let t3 = f64x2.splat(0);
      for (let j = 0; j < k; j++) {
        const w = f64x2.splat(load<f64>(weightsBuf + (<usize>j << 3)));
        const p = src + (<usize>(load<i32>(offsets + (<usize>j << 2)) + i) << 3);
        t0 = f64x2.add(t0, f64x2.mul(w, v128.load(p)));
        t1 = f64x2.add(t1, f64x2.mul(w, v128.load(p, 16)));
        t2 = f64x2.add(t2, f64x2.mul(w, v128.load(p, 32)));
        t3 = f64x2.add(t3, f64x2.mul(w, v128.load(p, 48)));
      }
      const o = out + (<usize>i << 3);
      v128.store(o, t0);
      v128.store(o, t1, 16);
      v128.store(o, t2, 32);
      v128.store(o, t3, 48);
    }
  }
  for (; i < end; i++) {
    let t: f64 = 0;
    for (let j = 0; j < k; j++) t += load<f64>(weightsBuf + (<usize>j << 3)) * sample(src, kind, load<i32>(offsets + (<usize>j << 2)) + i);
    store<f64>(out + (<usize>i << 3), t);
  }
  // Border columns [0, xs) and [xe, cols): tap by tap, repeating the edge columns.
  const lead = xs * channels;
  for (let q = 0; q < lead; q++) store<f64>(out + (<usize>q << 3), 0);
  const tail = max(xe, xs);
  for (let q = tail * channels; q < cols * channels; q++) store<f64>(out + (<usize>q << 3), 0);
  for (let t = 0; t < k; t++) {
    const dx = <i32>load<f64>(taps + (<usize>t * 24));
    const dy = <i32>load<f64>(taps + (<usize>t * 24), 8);
    const w = load<f64>(taps + (<usize>t * 24), 16);
    let sy = y - dy;
    sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
    const s = sy * rowLen;
    for (let x = 0; x < xs; x++) {
      const sx = x - dx < 0 ? 0 : x - dx >= width ? width - 1 : x - dx;
      for (let c = 0; c < channels; c++) {
        const o = out + (<usize>(x * channels + c) << 3);
        store<f64>(o, load<f64>(o) + w * sample(src, kind, s + sx * channels + c));
      }
    }
    for (let x = tail; x < cols; x++) {
      const sx = x - dx < 0 ? 0 : x - dx >= width ? width - 1 : x - dx;
      for (let c = 0; c < channels; c++) {
        const o = out + (<usize>(x * channels + c) << 3);
        store<f64>(o, load<f64>(o) + w * sample(src, kind, s + sx * channels + c));
      }
    }
  }
}

/** motion_blur: dst = uint8(clip(blur(src), 0, 255)) for an RGB image; row: width * 3 float64 of scratch. */
export function motionBlurBytes(src: usize, dst: usize, width: i32, height: i32, taps: usize, k: i32, row: usize): void {
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    motionRow(src, SRC_U8, width, height, 3, taps, k, y, row, width);
    const o = dst + <usize>y * rowLen;
    let i = 0;
    for (; i + 8 <= rowLen; i += 8) {
      const p = row + (<usize>i << 3);
      store8Bytes(o + i, clipBytes2(v128.load(p)), clipBytes2(v128.load(p, 16)), clipBytes2(v128.load(p, 32)), clipBytes2(v128.load(p, 48)));
    }
    for (; i < rowLen; i++) store<u8>(o + i, clipByte(load<f64>(row + (<usize>i << 3))));
  }
}

/** Row y of the blur of a one-channel float64 image (snow's layer), its first `cols` columns, into out. */
export function motionBlurRowF64(src: usize, width: i32, height: i32, taps: usize, k: i32, y: i32, out: usize, cols: i32): void {
  motionRow(src, SRC_F64, width, height, 1, taps, k, y, out, cols);
}
