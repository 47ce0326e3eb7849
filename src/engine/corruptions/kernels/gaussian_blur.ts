/**
 * Gaussian blur (held-out corruption).
 *
 * Definition (imagecorruptions `gaussian_blur`, bethgelab/imagecorruptions c959e65):
 *   y = uint8(clip(skimage.filters.gaussian(x / 255, sigma, channel_axis=-1), 0, 1) * 255)
 * i.e. scipy.ndimage.gaussian_filter over rows and columns (not across channels),
 * truncate 4.0, skimage's default border mode 'nearest', float64, truncating cast.
 *
 * | severity | 1 | 2 | 3 | 4 | 6 is severity 5 |
 * | sigma    | 1 | 2 | 3 | 4 | 6               |
 *
 * Deterministic: the rng is not used.
 */
import type { Severity } from '../../../shared/corruptions';
import { GaussianRowStream, gaussianKernel1d, gaussianRadius, unitRowsOf } from '../common/gaussian';
import { outputPixels, type CorruptionKernel } from '../kernel';
import { wasmKernels } from '../wasm-backend';

const SIGMA: Record<Severity, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 6 };

/**
 * skimage.filters.gaussian(x / 255, sigma, channel_axis=-1) * 255, truncated to bytes,
 * into `out` (a new array if not given; it must not be `data`).
 */
export function gaussianBlurBytes(data: Uint8Array, width: number, height: number, sigma: number, out?: Uint8Array): Uint8Array {
  const rowLen = width * 3;
  const stream = new GaussianRowStream(width, height, 3, sigma, sigma, { mode: 'nearest', truncate: 4 }, unitRowsOf(data, rowLen));
  const result = out ?? new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = stream.next();
    const o = y * rowLen;
    // Four values per iteration: V8 re-validates the typed arrays once per loop iteration (common/scratch.ts).
    let i = 0;
    for (; i + 3 < rowLen; i += 4) {
      result[o + i] = unitByte(row[i]);
      result[o + i + 1] = unitByte(row[i + 1]);
      result[o + i + 2] = unitByte(row[i + 2]);
      result[o + i + 3] = unitByte(row[i + 3]);
    }
    for (; i < rowLen; i++) result[o + i] = unitByte(row[i]);
  }
  return result;
}

/** uint8(clip(v, 0, 1) * 255): v * 255 < 255 in the last branch, so |0 truncates like Math.trunc. */
function unitByte(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255) | 0;
}

export const gaussianBlur: CorruptionKernel = {
  name: 'gaussian_blur',
  apply(image, severity, _rng, options) {
    const sigma = SIGMA[severity];
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (src, dst) => {
        const weights = gaussianKernel1d(sigma, gaussianRadius(sigma, 4));
        wasm.k.gaussianBlurBytes(src, dst, image.width, image.height, wasm.f64In(weights), (weights.length - 1) >> 1);
      });
    }
    const data = gaussianBlurBytes(image.data, image.width, image.height, sigma, outputPixels(image, options));
    return { width: image.width, height: image.height, data };
  },
};
