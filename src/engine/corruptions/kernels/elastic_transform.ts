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
import type { RgbImage } from '../../images/rgb-image';
import { GaussianRowStream, gaussianKernel1d, gaussianRadius } from '../common/gaussian';
import { borderIndex } from '../common/border';
import { unitImage } from '../common/unit';
import { BulkRandom } from '../common/bulk-random';
import type { Rng } from '../../../shared/prng';
import { growF64 } from '../common/scratch';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { wasmKernels, type WasmKernels } from '../wasm-backend';

const ALPHA: Record<Severity, number> = {
  1: 250 * 0.05,
  2: 250 * 0.065,
  3: 250 * 0.085,
  4: 250 * 0.1,
  5: 250 * 0.12,
};

/** Fills `row` (length 2 W) with row y of both raw fields interleaved: ux, uy, ux, uy, ... */
type PairRowSource = (y: number, row: Float64Array) => void;

/**
 * elastic_transform from a source of raw uniform rows U(-0.005 H, 0.005 H), dx's field and
 * dy's interleaved as two channels of one stream (the gaussian never mixes channels, so
 * each field is filtered exactly as on its own). Streams row by row: the smoothed fields
 * and the warp need only a ring of rows, never an image-sized float buffer.
 */
function elasticStream(image: RgbImage, severity: Severity, pairRows: PairRowSource, options?: KernelOptions): RgbImage {
  const { width, height, data } = image;
  const alpha = ALPHA[severity];
  const smoothing = { mode: 'reflect' as const, truncate: 3 };
  const fields = new GaussianRowStream(width, height, 2, 0.01 * height, 0.01 * width, smoothing, pairRows);
  const out = outputPixels(image, options);
  const rowLen = width * 3;
  // float32(v / 255) per value, read four times per output value
  const unit = unitImage(data);
  for (let y = 0; y < height; y++) {
    const d = fields.next();
    let o = y * rowLen;
    for (let x = 0; x < width; x++, o += 3) {
      // float32(gaussian(.) * alpha), as the reference stores dx and dy.
      const dx = Math.fround(d[2 * x] * alpha);
      const dy = Math.fround(d[2 * x + 1] * alpha);
      // scipy map_coordinates(order=1, mode='reflect') at (y + dy, x + dx, c) on float32(x / 255).
      let cy = y + dy;
      let cx = x + dx;
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
      const a = r0 + q0;
      const b = r0 + q1;
      const c = r1 + q0;
      const e = r1 + q1;
      // The three channels written out (no inner loop: V8 re-validates the typed arrays
      // on every loop iteration, see common/scratch.ts).
      out[o] = warpByte(unit[a] * wy0 * wx0 + unit[b] * wy0 * wx1 + unit[c] * wy1 * wx0 + unit[e] * wy1 * wx1);
      out[o + 1] = warpByte(unit[a + 1] * wy0 * wx0 + unit[b + 1] * wy0 * wx1 + unit[c + 1] * wy1 * wx0 + unit[e + 1] * wy1 * wx1);
      out[o + 2] = warpByte(unit[a + 2] * wy0 * wx0 + unit[b + 2] * wy0 * wx1 + unit[c + 2] * wy1 * wx0 + unit[e + 2] * wy1 * wx1);
    }
  }
  return { width, height, data: out };
}

/** uint8(clip(float32(s), 0, 1) * 255) in float32; the product is in [0, 255], so |0 truncates. */
function warpByte(s: number): number {
  const v = Math.fround(s);
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.fround(v * 255) | 0;
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
export function elasticFromUniforms(image: RgbImage, severity: Severity, ux: Float64Array, uy: Float64Array, options?: KernelOptions): RgbImage {
  const w = image.width;
  const wasm = wasmKernels(options?.backend);
  if (wasm) {
    const field = new Float64Array(2 * ux.length);
    for (let i = 0; i < ux.length; i++) {
      field[2 * i] = ux[i];
      field[2 * i + 1] = uy[i];
    }
    return elasticWasm(wasm, image, severity, options, () => wasm.f64In(field));
  }
  return elasticStream(image, severity, (y, row) => {
    for (let x = 0; x < w; x++) {
      row[2 * x] = ux[y * w + x];
      row[2 * x + 1] = uy[y * w + x];
    }
  });
}

/** Rows drawn ahead of their use (the first block of both fields); see common/scratch.ts. */
let blockScratch = new Float64Array(0);
let drawScratch = new Float64Array(0);

export const elasticTransform: CorruptionKernel = {
  name: 'elastic_transform',
  apply(image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions): RgbImage {
    const { width, height } = image;
    const random = new BulkRandom(rng);
    const maxD = height * 0.005;
    const span = 2 * maxD;
    // The draw order is part of the corruption's definition (it fixes the output for a
    // seed): dx's rows 0..R, dy's rows 0..R, then dx's row k and dy's row k for k > R,
    // with R = min(H - 1, radius of the vertical gaussian), the order in which two
    // one-row-at-a-time filter streams used to pull them.
    const big = Math.min(height - 1, gaussianRadius(0.01 * height, 3));
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return elasticWasm(wasm, image, severity, options, () => {
        const field = wasm.alloc(width * height * 2 * 8);
        wasm.seed(random.state());
        wasm.k.elasticField(field, width, height, big, span, maxD, wasm.alloc(width * 8));
        return field;
      });
    }
    blockScratch = growF64(blockScratch, Math.max(0, big + 1) * width * 2);
    drawScratch = growF64(drawScratch, width);
    const block = blockScratch;
    const draws = drawScratch;
    const drawInto = (dst: Float64Array, at: number): void => {
      random.fillUniform32(draws, 0, width);
      for (let x = 0; x < width; x++) dst[at + 2 * x] = draws[x] * span - maxD;
    };
    return elasticStream(image, severity, (y, row) => {
      if (y === 0) {
        for (let k = 0; k <= big; k++) drawInto(block, k * width * 2);
        for (let k = 0; k <= big; k++) drawInto(block, k * width * 2 + 1);
      }
      if (y <= big) {
        const o = y * width * 2;
        for (let i = 0; i < 2 * width; i++) row[i] = block[o + i];
      } else {
        drawInto(row, 0);
        drawInto(row, 1);
      }
    }, options);
  },
};

/** The WebAssembly twin (wasm/elastic_transform.ts); `field` puts the raw fields in its memory. */
function elasticWasm(wasm: WasmKernels, image: RgbImage, severity: Severity, options: KernelOptions | undefined, field: () => number): RgbImage {
  const { width, height } = image;
  return wasm.run(image, options, (src, dst) => {
    const f = field();
    const sy = 0.01 * height;
    const sx = 0.01 * width;
    // scipy skips an axis with sigma <= 1e-15 (GaussianRowStream does too)
    const wy = sy > 1e-15 ? gaussianKernel1d(sy, gaussianRadius(sy, 3)) : null;
    const wx = sx > 1e-15 ? gaussianKernel1d(sx, gaussianRadius(sx, 3)) : null;
    const py = wy ? wasm.f64In(wy) : 0;
    const px = wx ? wasm.f64In(wx) : 0;
    const unit = wasm.alloc(image.data.length * 4);
    wasm.k.elasticWarp(src, dst, width, height, f, py, wy ? (wy.length - 1) >> 1 : 0, px, wx ? (wx.length - 1) >> 1 : 0, ALPHA[severity], unit);
  });
}
