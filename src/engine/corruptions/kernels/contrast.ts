/**
 * Contrast (ImageNet-C / COCO-C benchmark corruption; deterministic).
 *
 * Definition (imagecorruptions `contrast`): with x = input / 255 (float64) and m the
 * per-channel mean over the whole image,
 *   y = uint8(clip((x - m) * c + m, 0, 1) * 255)
 * (truncating: the reason the reference's mean difference is about -0.5 although the
 * operation keeps each channel's mean).
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | contrast factor c | 0.4 | 0.3 | 0.2 | 0.1 | 0.05 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 */
import { outputPixels, type CorruptionKernel } from '../kernel';
import { wasmKernels } from '../wasm-backend';
import type { RgbImage } from '../../images/rgb-image';

export const CONTRAST_FACTOR: readonly number[] = [0.4, 0.3, 0.2, 0.1, 0.05];

/** The output depends only on (channel, level): 3 x 256 lookup entries, from the channel means of x / 255. */
function contrastLut(means: readonly number[], c: number): Uint8Array {
  const lut = new Uint8Array(768);
  for (let ch = 0; ch < 3; ch++) {
    const m = means[ch];
    for (let level = 0; level < 256; level++) {
      const v = (level / 255 - m) * c + m;
      lut[ch * 256 + level] = v <= 0 ? 0 : v >= 1 ? 255 : Math.trunc(v * 255);
    }
  }
  return lut;
}

export const contrast: CorruptionKernel = {
  name: 'contrast',
  apply(image, severity, _rng, options): RgbImage {
    const c = CONTRAST_FACTOR[severity - 1];
    if (c === undefined) throw new RangeError(`contrast: severity must be 1..5, got ${severity}`);
    const src = image.data;
    const n = image.width * image.height;
    if (n === 0) return { width: image.width, height: image.height, data: outputPixels(image, options) };
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (from, to) => {
        const sums = wasm.alloc(3 * 8);
        wasm.k.channelSums(from, src.length, sums);
        const [s0, s1, s2] = wasm.f64(sums, 3);
        wasm.k.applyChannelLut(from, to, src.length, wasm.bytesIn(contrastLut([s0 / 255 / n, s1 / 255 / n, s2 / 255 / n], c)));
      });
    }
    const out = outputPixels(image, options);
    // Sums of bytes are exact integers; dividing once gives the mean of x / 255 with a
    // single rounding (numpy sums the float64 quotients, which agrees to ~1e-16).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < src.length; i += 3) {
      s0 += src[i];
      s1 += src[i + 1];
      s2 += src[i + 2];
    }
    const lut = contrastLut([s0 / 255 / n, s1 / 255 / n, s2 / 255 / n], c);
    for (let i = 0; i < src.length; i += 3) {
      out[i] = lut[src[i]];
      out[i + 1] = lut[256 + src[i + 1]];
      out[i + 2] = lut[512 + src[i + 2]];
    }
    return { width: image.width, height: image.height, data: out };
  },
};
