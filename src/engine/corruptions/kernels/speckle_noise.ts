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
import { outputPixels, type CorruptionKernel } from '../kernel';
import type { RgbImage } from '../../images/rgb-image';
import { BulkRandom } from '../common/bulk-random';
import { UNIT_F64 } from '../common/unit';
import { noisyByte } from './gaussian_noise';
import { wasmKernels } from '../wasm-backend';

/** Normals are drawn a chunk at a time into this buffer (see common/scratch.ts for why it is module-level). */
const CHUNK = 4096;
const normals = new Float64Array(CHUNK);

export const SPECKLE_NOISE_STD: readonly number[] = [0.15, 0.2, 0.35, 0.45, 0.6];

/** uint8(clip(x + x * noise, 0, 1) * 255), truncating. */
function speckled(x: number, noise: number): number {
  return noisyByte(x + x * noise);
}

export const speckleNoise: CorruptionKernel = {
  name: 'speckle_noise',
  apply(image, severity, rng, options): RgbImage {
    const c = SPECKLE_NOISE_STD[severity - 1];
    if (c === undefined) throw new RangeError(`speckle_noise: severity must be 1..5, got ${severity}`);
    const src = image.data;
    const random = new BulkRandom(rng);
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (from, to) => {
        wasm.seed(random.state());
        wasm.k.speckleNoise(from, to, src.length, c);
      });
    }
    const out = outputPixels(image, options);
    for (let start = 0; start < src.length; start += CHUNK) {
      const len = Math.min(CHUNK, src.length - start);
      random.fillNormals(normals, 0, len);
      // Four values per iteration (see gaussian_noise).
      let j = 0;
      for (; j + 3 < len; j += 4) {
        const p = start + j;
        out[p] = speckled(UNIT_F64[src[p]], c * normals[j]);
        out[p + 1] = speckled(UNIT_F64[src[p + 1]], c * normals[j + 1]);
        out[p + 2] = speckled(UNIT_F64[src[p + 2]], c * normals[j + 2]);
        out[p + 3] = speckled(UNIT_F64[src[p + 3]], c * normals[j + 3]);
      }
      for (; j < len; j++) out[start + j] = speckled(UNIT_F64[src[start + j]], c * normals[j]);
    }
    return { width: image.width, height: image.height, data: out };
  },
};
