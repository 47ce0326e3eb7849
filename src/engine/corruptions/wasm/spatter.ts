/**
 * spatter, bit for bit ../kernels/spatter.ts: the liquid layer (mean + std N(0, 1),
 * gaussian-smoothed by ./gaussian.ts, thresholded), then water (severities 1-3: Canny,
 * distance transform, blurs, equalisation and emboss of ./opencv.ts, a turquoise tint in
 * float32) or mud (4-5: a float32 gaussian of the wet mask, a brown tint).
 *
 * The normals are drawn here from the module's BulkRandom stream, in the order the
 * JavaScript stream pulls them (row after row), or supplied by JavaScript (replays).
 */
import { MODE_NEAREST, clipByte, unit32 } from './common';
import { SRC_F64, SRC_U8, gaussianNext, gaussianStart } from './gaussian';
import { alloc } from './arena';
import { fillNormals } from './rng';
import { boxBlur3Float, boxBlur3U8, canny, distanceTransform, equalizeHist, filter3x3U8 } from './opencv';

const EMBOSS: usize = memory.data<i32>([-2, -1, 0, -1, 1, 1, 0, 1, 2]);

function waterByte(x: f32, add: f32): u8 {
  const v = <f64>(<f32>(<f64>x + <f64>add));
  return v <= 0 ? 0 : v >= 1 ? 255 : <u8>(<i32>(<f32>(v * 255.0)));
}


/**
 * dst = spatter(src). normals: width x height float64, drawn here when `draw`. Liquid:
 * mean + std n, smoothed with weights (2 radius + 1), threshold. Water uses intensity
 * and the tint (r, g, b as float32 of c / 255); mud smooths the wet mask with mudWeights
 * (sigma = intensity) and tints with (r, g, b) as float64 c / 255.
 */
export function spatter(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  normals: usize,
  draw: bool,
  mean: f64,
  std: f64,
  weights: usize,
  radius: i32,
  threshold: f64,
  mud: bool,
  intensity: f64,
  mudWeights: usize,
  mudRadius: i32,
  tintR: f64,
  tintG: f64,
  tintB: f64,
): void {
  const n = width * height;
  if (draw) fillNormals(normals, n);
  for (let i = 0; i < n; i++) {
    const p = normals + (<usize>i << 3);
    store<f64>(p, mean + std * load<f64>(p));
  }
  const l8 = alloc(<usize>n);
  const wet = alloc(<usize>n);
  gaussianStart(width, height, 1, weights, radius, weights, radius, MODE_NEAREST, false, SRC_F64, normals);
  for (let y = 0; y < height; y++) {
    const row = gaussianNext();
    for (let x = 0; x < width; x++) {
      const r = load<f64>(row + (<usize>x << 3));
      const v = r < threshold ? 0 : r;
      const t = Math.trunc(v * 255);
      store<u8>(l8 + y * width + x, t < 0 ? 0 : t > 255 ? 255 : <u8>(<i32>t));
      store<u8>(wet + y * width + x, v > threshold ? 1 : 0);
    }
  }
  if (!mud) {
    const edges = alloc(<usize>n);
    canny(l8, edges, width, height, 50, 150, alloc(<usize>n << 1), alloc(<usize>n << 1), alloc(<usize>((width + 2) * (height + 2)) << 2), alloc(<usize>n), alloc(<usize>n << 2));
    for (let i = 0; i < n; i++) store<u8>(edges + i, 255 - load<u8>(edges + i));
    const dist = alloc(<usize>n << 2);
    distanceTransform(edges, dist, width, height, alloc(<usize>((width + 4) * (height + 4)) << 2));
    for (let i = 0; i < n; i++) {
      const p = dist + (<usize>i << 2);
      if (load<f32>(p) > 20) store<f32>(p, 20);
    }
    const blurred = alloc(<usize>n << 2);
    boxBlur3Float(dist, blurred, width, height);
    const d8 = alloc(<usize>n);
    for (let i = 0; i < n; i++) store<u8>(d8 + i, <u8>(<i32>load<f32>(blurred + (<usize>i << 2))));
    const equalized = alloc(<usize>n);
    equalizeHist(d8, equalized, n, alloc(1024), alloc(256));
    const embossedRaw = alloc(<usize>n);
    filter3x3U8(equalized, embossedRaw, width, height, EMBOSS);
    const embossed = alloc(<usize>n);
    boxBlur3U8(embossedRaw, embossed, width, height);
    let max = 0;
    for (let i = 0; i < n; i++) {
      const m = <i32>load<u8>(l8 + i) * <i32>load<u8>(embossed + i);
      if (m > max) max = m;
    }
    const k = <f64>(<f32>intensity);
    const w0 = <f32>tintR;
    const w1 = <f32>tintG;
    const w2 = <f32>tintB;
    // Where l8 e = 0 (dry pixels, most of the image) m is 0 and each channel is
    // waterByte(x, 0), a function of the byte alone: looked up (the float32 round trip of
    // x / 255 * 255 can lose a level, so it is not the identity).
    const dry = alloc(256);
    for (let v = 0; v < 256; v++) store<u8>(dry + v, waterByte(unit32(<u8>v), 0));
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const prod = <i32>load<u8>(l8 + i) * <i32>load<u8>(embossed + i);
      if (prod == 0) {
        store<u8>(dst + o, load<u8>(dry + <usize>load<u8>(src + o)));
        store<u8>(dst + o, load<u8>(dry + <usize>load<u8>(src + o, 1)), 1);
        store<u8>(dst + o, load<u8>(dry + <usize>load<u8>(src + o, 2)), 2);
        continue;
      }
      const m: f64 = max > 0 ? <f64>(<f32>(<f64>(<f32>(<f64>prod / <f64>max)) * k)) : 0;
      store<u8>(dst + o, waterByte(unit32(load<u8>(src + o)), <f32>(m * <f64>w0)));
      store<u8>(dst + o, waterByte(unit32(load<u8>(src + o, 1)), <f32>(m * <f64>w1)), 1);
      store<u8>(dst + o, waterByte(unit32(load<u8>(src + o, 2)), <f32>(m * <f64>w2)), 2);
    }
    return;
  }
  gaussianStart(width, height, 1, mudWeights, mudRadius, mudWeights, mudRadius, MODE_NEAREST, true, SRC_U8, wet);
  for (let y = 0; y < height; y++) {
    const m = gaussianNext();
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const mx = load<f64>(m + (<usize>x << 3));
      const mi = mx < 0.8 ? 0 : mx;
      const keep = <f64>(<f32>(1 - mi));
      const o = i * 3;
      mudValue(dst + o, unit32(load<u8>(src + o)), keep, tintR, mi);
      mudValue(dst + o + 1, unit32(load<u8>(src + o + 1)), keep, tintG, mi);
      mudValue(dst + o + 2, unit32(load<u8>(src + o + 2)), keep, tintB, mi);
    }
  }
}

function mudValue(dst: usize, x: f32, keep: f64, tint: f64, mi: f64): void {
  const v = <f64>(<f32>(<f64>x * keep)) + tint * mi;
  store<u8>(dst, clipByte((v < 0 ? 0 : v > 1 ? 1 : v) * 255));
}
