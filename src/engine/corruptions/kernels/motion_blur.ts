/**
 * Motion blur.
 *
 * Definition (imagecorruptions `motion_blur` / `_motion_blur`, head c959e65; no Wand
 * since 1.0):
 *   angle ~ U(-45, 45) degrees
 *   y = uint8(clip(sum_i k_i * shift(x, dx_i, dy_i), 0, 255))
 * over i = 0 .. 2*radius, with k_i = exp(-i^2 / 2 sigma^2) normalised to sum 1 (one-sided:
 * the unshifted copy weighs most), dy_i = -ceil(i sin(angle) - 0.5),
 * dx_i = -ceil(i cos(angle) - 0.5), shift() repeating the edge rows/columns; the sum stops
 * at the first shift as large as the image. float64 sum in tap order, truncating cast.
 *
 * | severity | 1  | 2  | 3  | 4  | 5  |
 * | radius   | 10 | 15 | 15 | 15 | 20 |
 * | sigma    | 3  | 5  | 8  | 12 | 15 |
 *
 * Randomness: only the angle, one uniform draw from the kernel's Rng.
 */
import type { Severity } from '../../../shared/corruptions';
import type { RgbImage } from '../../images/rgb-image';
import { motionBlurRowBytes, motionBlurTaps } from '../common/motion';
import { growF64 } from '../common/scratch';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { wasmKernels } from '../wasm-backend';

const PARAMS: Record<Severity, { radius: number; sigma: number }> = {
  1: { radius: 10, sigma: 3 },
  2: { radius: 15, sigma: 5 },
  3: { radius: 15, sigma: 8 },
  4: { radius: 15, sigma: 12 },
  5: { radius: 20, sigma: 15 },
};

/** One blurred row, reused across calls (see common/scratch.ts). */
let rowScratch = new Float64Array(0);

/** Motion blur with a given angle in degrees (the deterministic part of the corruption). */
export function motionBlurAtAngle(image: RgbImage, severity: Severity, angleDeg: number, options?: KernelOptions): RgbImage {
  const { width, height, data } = image;
  const p = PARAMS[severity];
  const taps = motionBlurTaps(p.radius, p.sigma, angleDeg, width, height);
  const wasm = wasmKernels(options?.backend);
  if (wasm) {
    return wasm.run(image, options, (src, dst) => {
      const records = wasm.f64In(taps.flatMap((t) => [t.dx, t.dy, t.weight]));
      wasm.k.motionBlurBytes(src, dst, width, height, records, taps.length, wasm.alloc(width * 3 * 8));
    });
  }
  const rowLen = width * 3;
  rowScratch = growF64(rowScratch, rowLen);
  const row = rowScratch.subarray(0, rowLen);
  const out = outputPixels(image, options);
  for (let y = 0; y < height; y++) {
    motionBlurRowBytes(data, width, height, 3, taps, y, row);
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const v = row[i];
      // uint8(clip(v, 0, 255)); |0 truncates like Math.trunc below 255.
      out[o + i] = v <= 0 ? 0 : v >= 255 ? 255 : v | 0;
    }
  }
  return { width, height, data: out };
}

export const motionBlur: CorruptionKernel = {
  name: 'motion_blur',
  apply(image, severity, rng, options) {
    return motionBlurAtAngle(image, severity, rng.uniformRange(-45, 45), options);
  },
};
