/**
 * Gaussian noise (ImageNet-C / COCO-C benchmark corruption).
 *
 * Definition (imagecorruptions `gaussian_noise`): with x = input / 255 (float64),
 *   y = uint8(clip(x + N(0, c^2), 0, 1) * 255)
 * independently for every value (each of R, G, B of every pixel); uint8() truncates.
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | noise std c (of full scale) | 0.08 | 0.12 | 0.18 | 0.26 | 0.38 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 * The truncation is kept on purpose: it is why the reference's mean difference is
 * slightly negative at low severity, and the fixture statistics include it.
 */
import { outputPixels, type CorruptionKernel } from '../kernel';
import type { RgbImage } from '../../images/rgb-image';
import { BulkRandom } from '../common/bulk-random';
import { UNIT_F64 } from '../common/unit';
import { wasmKernels } from '../wasm-backend';

/** Normals are drawn a chunk at a time into this buffer (see common/scratch.ts for why it is module-level). */
const CHUNK = 4096;
const normals = new Float64Array(CHUNK);

export const GAUSSIAN_NOISE_STD: readonly number[] = [0.08, 0.12, 0.18, 0.26, 0.38];

/** uint8(clip(v, 0, 1) * 255): v * 255 < 255 in the last branch, so |0 truncates like Math.trunc. */
export function noisyByte(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255) | 0;
}

export const gaussianNoise: CorruptionKernel = {
  name: 'gaussian_noise',
  apply(image, severity, rng, options): RgbImage {
    const c = GAUSSIAN_NOISE_STD[severity - 1];
    if (c === undefined) throw new RangeError(`gaussian_noise: severity must be 1..5, got ${severity}`);
    const src = image.data;
    const random = new BulkRandom(rng);
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (from, to) => {
        wasm.seed(random.state());
        wasm.k.gaussianNoise(from, to, src.length, c);
      });
    }
    const out = outputPixels(image, options);
    for (let start = 0; start < src.length; start += CHUNK) {
      const len = Math.min(CHUNK, src.length - start);
      random.fillNormals(normals, 0, len);
      // Four values per iteration: V8 re-validates every typed array the loop touches
      // once per iteration (see common/scratch.ts).
      let j = 0;
      for (; j + 3 < len; j += 4) {
        const p = start + j;
        out[p] = noisyByte(UNIT_F64[src[p]] + c * normals[j]);
        out[p + 1] = noisyByte(UNIT_F64[src[p + 1]] + c * normals[j + 1]);
        out[p + 2] = noisyByte(UNIT_F64[src[p + 2]] + c * normals[j + 2]);
        out[p + 3] = noisyByte(UNIT_F64[src[p + 3]] + c * normals[j + 3]);
      }
      for (; j < len; j++) out[start + j] = noisyByte(UNIT_F64[src[start + j]] + c * normals[j]);
    }
    return { width: image.width, height: image.height, data: out };
  },
};
