/**
 * Saturate (held-out validation corruption of ImageNet-C / COCO-C; deterministic).
 *
 * Definition (imagecorruptions `saturate`): with x = input / 255 (float64), convert to
 * HSV (skimage rgb2hsv), set S' = clip(S * a + b, 0, 1), convert back (skimage hsv2rgb)
 * and store uint8(clip(rgb, 0, 1) * 255) (truncating). Severities 1-2 desaturate,
 * 3-5 oversaturate, so severity is not monotone in distortion (severity 3 can be closer
 * to the input than severity 2).
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | saturation factor a | 0.3 | 0.1 | 2 | 5 | 20 |
 * | saturation offset b | 0 | 0 | 0 | 0.1 | 0.2 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 * The float64 HSV round trip follows skimage 0.19 operation for operation
 * (common/color.ts), so outputs match the reference PNGs exactly.
 */
import { outputPixels, type CorruptionKernel } from '../kernel';
import { wasmKernels } from '../wasm-backend';
import type { RgbImage } from '../../images/rgb-image';
import { adjustHsv, type HsvEdit } from '../common/color';

export const SATURATE_PARAMS: readonly (readonly [factor: number, offset: number])[] = [
  [0.3, 0],
  [0.1, 0],
  [2, 0],
  [5, 0.1],
  [20, 0.2],
];

export const saturate: CorruptionKernel = {
  name: 'saturate',
  apply(image, severity, _rng, options): RgbImage {
    const c = SATURATE_PARAMS[severity - 1];
    if (c === undefined) throw new RangeError(`saturate: severity must be 1..5, got ${severity}`);
    const [a, b] = c;
    const edit: HsvEdit = { channel: 1, factor: a, offset: b };
    const wasm = wasmKernels(options?.backend);
    if (wasm) return wasm.run(image, options, (src, dst) => wasm.k.adjustHsv(src, dst, image.data.length, edit.channel === 2, edit.factor, edit.offset));
    const data = adjustHsv(image.data, edit, outputPixels(image, options));
    return { width: image.width, height: image.height, data };
  },
};
