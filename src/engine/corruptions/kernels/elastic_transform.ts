/**
 * Elastic transform.
 *
 * Definition (imagecorruptions `elastic_transform`, head c959e65; a smoothed random
 * displacement field, no affine part in this version):
 *   x = float32(image) / 255; H, W = image size
 *   sigma = (0.01 H, 0.01 W); max_d = 0.005 H
 *   dx = float32(gaussian(U(-max_d, max_d, (H, W)), sigma, mode='reflect', truncate=3) * alpha)
 *   dy = float32(gaussian(U(-max_d, max_d, (H, W)), sigma, mode='reflect', truncate=3) * alpha)
 *   y = uint8(clip(map_coordinates(x, (row + dy, col + dx, channel), order=1, mode='reflect'), 0, 1) * 255)
 * gaussian = skimage.filters.gaussian on the 2-D field (scipy gaussian_filter, float64).
 * The field's smoothness and amplitude scale with the image: sigma is 1 % of each side,
 * the uniform range 0.5 % of the height.
 *
 * | severity | 1    | 2     | 3     | 4  | 5  |
 * | alpha    | 12.5 | 16.25 | 21.25 | 25 | 30 |
 *   (250 * [0.05, 0.065, 0.085, 0.1, 0.12])
 *
 * Randomness: the two uniform fields, from a BulkRandom seeded by the kernel's Rng, 32
 * random bits per value, drawn row by row as the streaming filter needs them.
 */
import type { Severity } from '../../../shared/corruptions';
import { clipToByte, type RgbImage } from '../common/image';
import { GaussianRowStream, UNIT_F32, borderIndex } from '../common/filters';
import { BulkRandom } from '../common/bulk-random';
import type { Rng } from '../common/prng';
import type { CorruptionKernel } from '../kernel';

const ALPHA: Record<Severity, number> = {
  1: 250 * 0.05,
  2: 250 * 0.065,
  3: 250 * 0.085,
  4: 250 * 0.1,
  5: 250 * 0.12,
};

type RowSource = (y: number, row: Float64Array) => void;

/**
 * elastic_transform from two sources of raw uniform rows U(-0.005 H, 0.005 H) (dx's field,
 * then dy's). Streams row by row: the smoothed fields and the warp need only a ring of
 * rows, never an image-sized float buffer.
 */
function elasticStream(image: RgbImage, severity: Severity, uxRows: RowSource, uyRows: RowSource): RgbImage {
  const { width, height, data } = image;
  const alpha = ALPHA[severity];
  const options = { mode: 'reflect' as const, truncate: 3 };
  const sx = new GaussianRowStream(width, height, 1, 0.01 * height, 0.01 * width, options, uxRows);
  const sy = new GaussianRowStream(width, height, 1, 0.01 * height, 0.01 * width, options, uyRows);
  const dx = new Float32Array(width);
  const dy = new Float32Array(width);
  const out = new Uint8Array(data.length);
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    const rx = sx.next();
    for (let x = 0; x < width; x++) dx[x] = rx[x] * alpha;
    const ry = sy.next();
    for (let x = 0; x < width; x++) dy[x] = ry[x] * alpha;
    for (let x = 0; x < width; x++) {
      // scipy map_coordinates(order=1, mode='reflect') at (y + dy, x + dx, c) on float32(x / 255).
      let cy = y + dy[x];
      let cx = x + dx[x];
      let r0: number;
      let r1: number;
      let q0: number;
      let q1: number;
      let fy: number;
      let fx: number;
      if (cy >= 0 && cy < height - 1) {
        fy = Math.floor(cy);
        r0 = fy * rowLen;
        r1 = r0 + rowLen;
      } else {
        cy = reflectCoordinate(cy, height);
        fy = Math.floor(cy);
        r0 = borderIndex(fy, height, 'reflect') * rowLen;
        r1 = borderIndex(fy + 1, height, 'reflect') * rowLen;
      }
      if (cx >= 0 && cx < width - 1) {
        fx = Math.floor(cx);
        q0 = fx * 3;
        q1 = q0 + 3;
      } else {
        cx = reflectCoordinate(cx, width);
        fx = Math.floor(cx);
        q0 = borderIndex(fx, width, 'reflect') * 3;
        q1 = borderIndex(fx + 1, width, 'reflect') * 3;
      }
      const wy0 = 1 - (cy - fy);
      const wy1 = 1 - wy0;
      const wx0 = 1 - (cx - fx);
      const wx1 = 1 - wx0;
      const o = y * rowLen + x * 3;
      for (let c = 0; c < 3; c++) {
        const v = Math.fround(
          UNIT_F32[data[r0 + q0 + c]] * wy0 * wx0 +
            UNIT_F32[data[r0 + q1 + c]] * wy0 * wx1 +
            UNIT_F32[data[r1 + q0 + c]] * wy1 * wx0 +
            UNIT_F32[data[r1 + q1 + c]] * wy1 * wx1,
        );
        out[o + c] = clipToByte(Math.fround((v < 0 ? 0 : v > 1 ? 1 : v) * 255));
      }
    }
  }
  return { width, height, data: out };
}

/** scipy's map_coordinate() for mode 'reflect': folds a coordinate into [-1, len]. */
function reflectCoordinate(c: number, len: number): number {
  if (len <= 1) return 0;
  const sz2 = 2 * len;
  if (c < 0) {
    if (c < -sz2) c = sz2 * Math.trunc(-c / sz2) + c;
    return c < -len ? c + sz2 : -c - 1;
  }
  if (c > len - 1) {
    c -= sz2 * Math.trunc(c / sz2);
    if (c >= len) c = sz2 - c - 1;
  }
  return c;
}

/**
 * The deterministic part of elastic_transform: `ux` and `uy` are the two raw fields
 * U(-0.005 H, 0.005 H) of size H x W, as the reference draws them (ux first).
 */
export function elasticFromUniforms(image: RgbImage, severity: Severity, ux: Float64Array, uy: Float64Array): RgbImage {
  const w = image.width;
  return elasticStream(
    image,
    severity,
    (y, row) => row.set(ux.subarray(y * w, (y + 1) * w)),
    (y, row) => row.set(uy.subarray(y * w, (y + 1) * w)),
  );
}

export const elasticTransform: CorruptionKernel = {
  name: 'elastic_transform',
  apply(image: RgbImage, severity: Severity, rng: Rng): RgbImage {
    // Rows are drawn as the streams ask for them (both fields interleaved): a fixed order,
    // so the output is a pure function of the seed, without holding two H x W fields.
    const random = new BulkRandom(rng);
    const maxD = image.height * 0.005;
    const span = 2 * maxD;
    const uniformRow = (_y: number, row: Float64Array): void => {
      for (let i = 0; i < row.length; i++) row[i] = random.uniform32() * span - maxD;
    };
    return elasticStream(image, severity, uniformRow, uniformRow);
  },
};
