/**
 * elastic_transform, bit for bit ../kernels/elastic_transform.ts: the two uniform
 * displacement fields (interleaved dx, dy: two channels of one image), smoothed by the
 * gaussian stream of ./gaussian.ts ('reflect', truncate 3; weights from JavaScript),
 * scaled by alpha in float32, then scipy's map_coordinates (order 1, mode 'reflect') on
 * float32(x / 255), truncated to bytes in float32.
 *
 * elasticField() draws the raw fields from the module's BulkRandom stream in the order
 * the JavaScript kernel draws them (dx rows 0..R, dy rows 0..R, then dx and dy row by row).
 */
import { MODE_REFLECT, borderIndex, unitImage32 } from './common';
import { SRC_F64, gaussianNext, gaussianStart } from './gaussian';
import { fillUniform32 } from './rng';

/** field (width x height x 2 float64) = the raw fields U(-maxD, maxD); draws: width float64 of scratch. */
export function elasticField(field: usize, width: i32, height: i32, big: i32, span: f64, maxD: f64, draws: usize): void {
  for (let k = 0; k <= big; k++) drawRow(field + (<usize>(k * width * 2) << 3), width, span, maxD, draws);
  for (let k = 0; k <= big; k++) drawRow(field + (<usize>(k * width * 2 + 1) << 3), width, span, maxD, draws);
  for (let k = big + 1; k < height; k++) {
    drawRow(field + (<usize>(k * width * 2) << 3), width, span, maxD, draws);
    drawRow(field + (<usize>(k * width * 2 + 1) << 3), width, span, maxD, draws);
  }
}

function drawRow(dst: usize, width: i32, span: f64, maxD: f64, draws: usize): void {
  fillUniform32(draws, width);
  for (let x = 0; x < width; x++) store<f64>(dst + (<usize>x << 4), load<f64>(draws + (<usize>x << 3)) * span - maxD);
}

/** scipy's map_coordinates coordinate folding for mode 'reflect' (into [-1, len]). */
function reflectCoordinate(c: f64, len: i32): f64 {
  if (len <= 1) return 0;
  const sz2 = <f64>(2 * len);
  if (c < 0) {
    if (c < -sz2) c = sz2 * Math.trunc(-c / sz2) + c;
    return c < -<f64>len ? c + sz2 : -c - 1;
  }
  if (c > <f64>(len - 1)) {
    c -= sz2 * Math.trunc(c / sz2);
    if (c >= <f64>len) c = sz2 - c - 1;
  }
  return c;
}

function warpByte(s: f64): u8 {
  const v = <f64>(<f32>s);
  return v <= 0 ? 0 : v >= 1 ? 255 : <u8>(<i32>(<f32>(v * 255.0)));
}

/**
 * dst = the warped image. field: the raw fields (see elasticField); weights and radii of
 * the vertical (sigma 0.01 H) and horizontal (0.01 W) gaussians; unit: width x height x 3
 * float32 of scratch.
 */
export function elasticWarp(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  field: usize,
  weightsY: usize,
  radiusY: i32,
  weightsX: usize,
  radiusX: i32,
  alpha: f64,
  unit: usize,
): void {
  const rowLen = width * 3;
  const n = rowLen * height;
  unitImage32(src, unit, n);
  gaussianStart(width, height, 2, weightsY, radiusY, weightsX, radiusX, MODE_REFLECT, false, SRC_F64, field);
  const hm1 = <f64>(height - 1);
  const wm1 = <f64>(width - 1);
  for (let y = 0; y < height; y++) {
    const d = gaussianNext();
    let o = dst + <usize>y * rowLen;
    for (let x = 0; x < width; x++, o += 3) {
      const dx = <f64>(<f32>(load<f64>(d + (<usize>x << 4)) * alpha));
      const dy = <f64>(<f32>(load<f64>(d + (<usize>x << 4), 8) * alpha));
      let cy = <f64>y + dy;
      let cx = <f64>x + dx;
      let r0: i32;
      let r1: i32;
      let q0: i32;
      let q1: i32;
      let fy: f64;
      let fx: f64;
      if (cy >= 0 && cy < hm1) {
        fy = Math.floor(cy);
        r0 = <i32>fy * rowLen;
        r1 = r0 + rowLen;
      } else {
        cy = reflectCoordinate(cy, height);
        fy = Math.floor(cy);
        r0 = borderIndex(<i32>fy, height, MODE_REFLECT) * rowLen;
        r1 = borderIndex(<i32>fy + 1, height, MODE_REFLECT) * rowLen;
      }
      if (cx >= 0 && cx < wm1) {
        fx = Math.floor(cx);
        q0 = <i32>fx * 3;
        q1 = q0 + 3;
      } else {
        cx = reflectCoordinate(cx, width);
        fx = Math.floor(cx);
        q0 = borderIndex(<i32>fx, width, MODE_REFLECT) * 3;
        q1 = borderIndex(<i32>fx + 1, width, MODE_REFLECT) * 3;
      }
      const wy0 = 1 - (cy - fy);
      const wy1 = 1 - wy0;
      const wx0 = 1 - (cx - fx);
      const wx1 = 1 - wx0;
      const a = unit + (<usize>(r0 + q0) << 2);
      const b = unit + (<usize>(r0 + q1) << 2);
      const c = unit + (<usize>(r1 + q0) << 2);
      const e = unit + (<usize>(r1 + q1) << 2);
      for (let k: usize = 0; k < 12; k += 4) {
        store<u8>(
          o + (k >> 2),
          warpByte(
            <f64>load<f32>(a + k) * wy0 * wx0 + <f64>load<f32>(b + k) * wy0 * wx1 + <f64>load<f32>(c + k) * wy1 * wx0 + <f64>load<f32>(e + k) * wy1 * wx1,
          ),
        );
      }
    }
  }
}
