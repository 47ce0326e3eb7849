/**
 * Impulse (salt-and-pepper) noise (ImageNet-C / COCO-C benchmark corruption).
 *
 * Definition (imagecorruptions `impulse_noise` = skimage `random_noise(x, mode='s&p',
 * amount=c)` with the default salt_vs_pepper = 0.5): every value (each of R, G, B of
 * every pixel, independently) is replaced with probability c; a replaced value becomes
 * 255 (salt) or 0 (pepper) with probability 1/2 each; the rest are unchanged (x / 255
 * * 255 round-trips exactly in float64 for all 256 levels, so the reference's
 * truncation changes nothing here).
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | replaced fraction c | 0.03 | 0.06 | 0.09 | 0.17 | 0.27 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 */
import { outputPixels, type CorruptionKernel } from '../kernel';
import type { RgbImage } from '../../images/rgb-image';
import { BulkRandom } from '../common/bulk-random';
import { wasmKernels } from '../wasm-backend';

export const IMPULSE_NOISE_AMOUNT: readonly number[] = [0.03, 0.06, 0.09, 0.17, 0.27];

export const impulseNoise: CorruptionKernel = {
  name: 'impulse_noise',
  apply(image, severity, rng, options): RgbImage {
    const c = IMPULSE_NOISE_AMOUNT[severity - 1];
    if (c === undefined) throw new RangeError(`impulse_noise: severity must be 1..5, got ${severity}`);
    const src = image.data;
    const random = new BulkRandom(rng);
    // One 32-bit draw decides replacement (c is resolved to 2^-32, far below any
    // measurable effect); the salt/pepper coin is drawn only for replaced values, which
    // keeps the two decisions independent as in skimage.
    const threshold = c * 4294967296;
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (from, to) => {
        wasm.u8(to, src.length).set(wasm.u8(from, src.length));
        wasm.seed(random.state());
        wasm.k.impulseNoise(to, src.length, threshold);
      });
    }
    const out = outputPixels(image, options);
    out.set(src);
    for (let i = 0; i < src.length; i++) {
      if (random.nextUint32() < threshold) out[i] = random.nextInt32() < 0 ? 255 : 0;
    }
    return { width: image.width, height: image.height, data: out };
  },
};
