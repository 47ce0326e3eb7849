/**
 * snow, bit for bit ../kernels/snow.ts (snowFromNormals): the layer mean + std N(0, 1)
 * over the centre crop, scipy zoom (order 1, one channel; plans from JavaScript's
 * zoomAxis), thresholded and clipped, motion-blurred (./motion.ts), rounded to bytes
 * (np.round: half to even, f64.nearest), then blended with the image in float32 like the
 * reference, the layer and its 180-degree rotation added in float64.
 *
 * plans: two zoom-axis descriptors (rows, then columns) of 5 int32 pointers each:
 * i0 (int32), i1 (int32), w0 (float64), w1 (float64), zero (uint8).
 */
import { unit32, unit64 } from './common';
import { motionBlurRowF64 } from './motion';

const GRAY_R: f32 = 0.299;
const GRAY_G: f32 = 0.587;
const GRAY_B: f32 = 0.114;

function ptr(plans: usize, axis: i32, field: i32): usize {
  return <usize>load<i32>(plans + (<usize>(axis * 5 + field) << 2));
}

/** scipy zoom order 1 of a one-channel ch x cw float64 image, its first rows x cols samples, into out (row stride cols). */
function zoom1(src: usize, cw: i32, plans: usize, rows: i32, cols: i32, out: usize, a: usize, b: usize): void {
  for (let y = 0; y < rows; y++) {
    const o = out + (<usize>(y * cols) << 3);
    if (load<u8>(ptr(plans, 0, 4) + y)) {
      memory.fill(o, 0, <usize>cols << 3);
      continue;
    }
    const s0 = src + (<usize>(load<i32>(ptr(plans, 0, 0) + (<usize>y << 2)) * cw) << 3);
    const s1 = src + (<usize>(load<i32>(ptr(plans, 0, 1) + (<usize>y << 2)) * cw) << 3);
    const wy0 = load<f64>(ptr(plans, 0, 2) + (<usize>y << 3));
    const wy1 = load<f64>(ptr(plans, 0, 3) + (<usize>y << 3));
    for (let i = 0; i < cw; i++) {
      store<f64>(a + (<usize>i << 3), load<f64>(s0 + (<usize>i << 3)) * wy0);
      store<f64>(b + (<usize>i << 3), load<f64>(s1 + (<usize>i << 3)) * wy1);
    }
    const ci0 = ptr(plans, 1, 0);
    const ci1 = ptr(plans, 1, 1);
    const cw0 = ptr(plans, 1, 2);
    const cw1 = ptr(plans, 1, 3);
    const cz = ptr(plans, 1, 4);
    for (let x = 0; x < cols; x++) {
      if (load<u8>(cz + x)) {
        store<f64>(o + (<usize>x << 3), 0);
        continue;
      }
      const p0 = <usize>load<i32>(ci0 + (<usize>x << 2)) << 3;
      const p1 = <usize>load<i32>(ci1 + (<usize>x << 2)) << 3;
      const u0 = load<f64>(cw0 + (<usize>x << 3));
      const u1 = load<f64>(cw1 + (<usize>x << 3));
      store<f64>(o + (<usize>x << 3), load<f64>(a + p0) * u0 + load<f64>(a + p1) * u1 + load<f64>(b + p0) * u0 + load<f64>(b + p1) * u1);
    }
  }
}

function snowByte(v: f32, lift: f32, blend: f32, rest: f32, flake: f64, rotated: f64): u8 {
  const mixed = <f32>(<f64>(<f32>(<f64>blend * <f64>v)) + <f64>(<f32>(<f64>rest * <f64>(v > lift ? v : lift))));
  const t = <f64>mixed + flake + rotated;
  return t <= 0 ? 0 : t >= 1 ? 255 : <u8>(<i32>(t * 255.0));
}

/**
 * dst = snow(src). normals: ch x cw standard normals of the crop; oh x ow: the zoomed size;
 * taps (k records of dx, dy, weight) of the motion blur on it. Scratch: crop (ch x cw
 * float64), zoomed (oh x ow float64), a and b (cw float64), row (min(width, ow) float64),
 * layer (width x height bytes).
 */
export function snow(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  normals: usize,
  ch: i32,
  cw: i32,
  mean: f64,
  std: f64,
  oh: i32,
  ow: i32,
  plans: usize,
  threshold: f64,
  taps: usize,
  k: i32,
  blend: f32,
  rest: f32,
  crop: usize,
  zoomed: usize,
  a: usize,
  b: usize,
  row: usize,
  layer: usize,
): void {
  for (let i = 0; i < ch * cw; i++) store<f64>(crop + (<usize>i << 3), mean + std * load<f64>(normals + (<usize>i << 3)));
  zoom1(crop, cw, plans, oh, ow, zoomed, a, b);
  const nz = oh * ow;
  for (let i = 0; i < nz; i++) {
    const p = zoomed + (<usize>i << 3);
    const v = load<f64>(p);
    store<f64>(p, v < threshold ? 0 : v > 1 ? 1 : v);
  }
  const rows = min(height, oh);
  const cols = min(width, ow);
  if (rows < height || cols < width) memory.fill(layer, 0, <usize>(width * height));
  for (let y = 0; y < rows; y++) {
    motionBlurRowF64(zoomed, ow, oh, taps, k, y, row, cols);
    const o = layer + <usize>(y * width);
    for (let x = 0; x < cols; x++) {
      const v = nearest<f64>(load<f64>(row + (<usize>x << 3)) * 255);
      store<u8>(o + x, v < 0 ? 0 : v > 255 ? 255 : <u8>(<i32>v));
    }
  }
  const n = width * height;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const r = unit32(load<u8>(src + o));
    const g = unit32(load<u8>(src + o, 1));
    const bb = unit32(load<u8>(src + o, 2));
    const gray = <f32>(<f64>(<f32>(<f64>(<f32>(<f64>r * <f64>GRAY_R)) + <f64>(<f32>(<f64>g * <f64>GRAY_G)))) + <f64>(<f32>(<f64>bb * <f64>GRAY_B)));
    const lift = <f32>(<f64>(<f32>(<f64>gray * 1.5)) + 0.5);
    const flake = unit64(load<u8>(layer + i));
    const rotated = unit64(load<u8>(layer + (n - 1 - i)));
    store<u8>(dst + o, snowByte(r, lift, blend, rest, flake, rotated));
    store<u8>(dst + o, snowByte(g, lift, blend, rest, flake, rotated), 1);
    store<u8>(dst + o, snowByte(bb, lift, blend, rest, flake, rotated), 2);
  }
}
