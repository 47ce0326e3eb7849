/**
 * Speckle noise (held-out validation corruption of ImageNet-C / COCO-C).
 *
 * Definition (imagecorruptions `speckle_noise`): multiplicative gaussian noise; with
 * x = input / 255 (float64),
 *   y = uint8(clip(x + x * N(0, c^2), 0, 1) * 255)
 * independently for every value; uint8() truncates. Black stays black.
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | relative noise std c | 0.15 | 0.20 | 0.35 | 0.45 | 0.60 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 */
import type { CorruptionKernel } from '../kernel';
import type { RgbImage } from '../common/image';
import { BulkRandom } from '../common/bulk-random';

export const SPECKLE_NOISE_STD: readonly number[] = [0.15, 0.2, 0.35, 0.45, 0.6];

export const speckleNoise: CorruptionKernel = {
  name: 'speckle_noise',
  apply(image, severity, rng): RgbImage {
    const c = SPECKLE_NOISE_STD[severity - 1];
    if (c === undefined) throw new RangeError(`speckle_noise: severity must be 1..5, got ${severity}`);
    const src = image.data;
    const out = new Uint8Array(src.length);
    const random = new BulkRandom(rng);
    for (let i = 0; i < src.length; i++) {
      const x = src[i] / 255;
      const v = x + x * (c * random.normal());
      out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.trunc(v * 255);
    }
    return { width: image.width, height: image.height, data: out };
  },
};
