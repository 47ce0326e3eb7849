/**
 * Glass blur.
 *
 * Definition (imagecorruptions `glass_blur`, head c959e65 with the numba shuffle):
 *   x = uint8(gaussian(x / 255, sigma) * 255)
 *   repeat `iterations` times:
 *     for h = H - d down to d + 1, for w = W - d down to d + 1:
 *       (dx, dy) = randint(-d, d, size=2)          # in [-d, d - 1]
 *       x[h, w] = x[h + dy, w + dx]                 # all three channels
 *   y = uint8(clip(gaussian(x / 255, sigma), 0, 1) * 255)
 * gaussian = skimage.filters.gaussian (scipy gaussian_filter, truncate 4, mode 'nearest',
 * not across channels). The reference's tuple "swap"
 * `x[h, w], x[h', w'] = x[h', w'], x[h, w]` assigns through array views, so it is a copy,
 * not a swap (numba and pure numpy agree byte for byte, see the fixtures' README); the
 * sweep runs bottom-right to top-left and may read pixels it already moved. Both are
 * reproduced here because they shape the texture.
 *
 * | severity          | 1   | 2   | 3 | 4   | 5   |
 * | sigma             | 0.7 | 0.9 | 1 | 1.1 | 1.5 |
 * | max_delta d       | 1   | 2   | 2 | 3   | 4   |
 * | iterations        | 2   | 1   | 3 | 2   | 2   |
 *
 * Randomness: the offsets come from a BulkRandom seeded by the kernel's Rng, one 32-bit
 * draw per offset mapped to the 2d values by multiply-shift (bias < 2^-29).
 */
import type { Severity } from '../../../shared/corruptions';
import type { RgbImage } from '../common/image';
import { gaussianBlurBytes } from './gaussian_blur';
import { BulkRandom } from '../common/bulk-random';
import type { Rng } from '../common/prng';
import type { CorruptionKernel } from '../kernel';

const PARAMS: Record<Severity, { sigma: number; delta: number; iterations: number }> = {
  1: { sigma: 0.7, delta: 1, iterations: 2 },
  2: { sigma: 0.9, delta: 2, iterations: 1 },
  3: { sigma: 1, delta: 2, iterations: 3 },
  4: { sigma: 1.1, delta: 3, iterations: 2 },
  5: { sigma: 1.5, delta: 4, iterations: 2 },
};

/**
 * The reference's local pixel "shuffle" (copy semantics, reverse raster order), in place.
 * `draw()` returns the next offset index in [0, 2 delta): dx first, then dy, per pixel.
 */
export function shufflePixels(x: Uint8Array, width: number, height: number, delta: number, iterations: number, draw: () => number): void {
  for (let it = 0; it < iterations; it++) {
    for (let h = height - delta; h > delta; h--) {
      for (let w = width - delta; w > delta; w--) {
        const dx = draw() - delta;
        const dy = draw() - delta;
        const dst = (h * width + w) * 3;
        const src = ((h + dy) * width + (w + dx)) * 3;
        x[dst] = x[src];
        x[dst + 1] = x[src + 1];
        x[dst + 2] = x[src + 2];
      }
    }
  }
}

/** The deterministic part of glass_blur, with the offsets supplied by `draw` (see shufflePixels). */
export function glassBlurWithOffsets(image: RgbImage, severity: Severity, draw: () => number): RgbImage {
  const { width, height } = image;
  const p = PARAMS[severity];
  const x = gaussianBlurBytes(image.data, width, height, p.sigma);
  shufflePixels(x, width, height, p.delta, p.iterations, draw);
  return { width, height, data: gaussianBlurBytes(x, width, height, p.sigma) };
}

export const glassBlur: CorruptionKernel = {
  name: 'glass_blur',
  apply(image: RgbImage, severity: Severity, rng: Rng): RgbImage {
    const random = new BulkRandom(rng);
    const toRange = (2 * PARAMS[severity].delta) / 4294967296;
    return glassBlurWithOffsets(image, severity, () => Math.floor(random.nextUint32() * toRange));
  },
};
