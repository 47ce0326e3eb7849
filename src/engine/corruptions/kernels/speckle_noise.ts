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
import { UNIT_F64 } from '../common/filters';

/** Normals are drawn a chunk at a time into this buffer (see common/scratch.ts for why it is module-level). */
const CHUNK = 4096;
const normals = new Float64Array(CHUNK);

export const SPECKLE_NOISE_STD: readonly number[] = [0.15, 0.2, 0.35, 0.45, 0.6];

export const speckleNoise: CorruptionKernel = {
  name: 'speckle_noise',
  apply(image, severity, rng): RgbImage {
    const c = SPECKLE_NOISE_STD[severity - 1];
    if (c === undefined) throw new RangeError(`speckle_noise: severity must be 1..5, got ${severity}`);
    const src = image.data;
    const out = new Uint8Array(src.length);
    const random = new BulkRandom(rng);
    for (let start = 0; start < src.length; start += CHUNK) {
      const len = Math.min(CHUNK, src.length - start);
      random.fillNormals(normals, 0, len);
      for (let j = 0; j < len; j++) {
        const x = UNIT_F64[src[start + j]];
        const v = x + x * (c * normals[j]);
        // v * 255 is in (0, 255) here, so |0 truncates like Math.trunc.
        out[start + j] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255) | 0;
      }
    }
    return { width: image.width, height: image.height, data: out };
  },
};
