/**
 * Brightness (ImageNet-C / COCO-C benchmark corruption; deterministic).
 *
 * Definition (imagecorruptions `brightness`): with x = input / 255 (float64), convert to
 * HSV (skimage rgb2hsv), raise the value channel, V' = clip(V + c, 0, 1), convert back
 * (skimage hsv2rgb) and store uint8(clip(rgb, 0, 1) * 255) (truncating).
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | added value c | 0.1 | 0.2 | 0.3 | 0.4 | 0.5 |
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

export const BRIGHTNESS_SHIFT: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5];

export const brightness: CorruptionKernel = {
  name: 'brightness',
  apply(image, severity, _rng, options): RgbImage {
    const c = BRIGHTNESS_SHIFT[severity - 1];
    if (c === undefined) throw new RangeError(`brightness: severity must be 1..5, got ${severity}`);
    const edit: HsvEdit = { channel: 2, factor: 1, offset: c };
    const wasm = wasmKernels(options?.backend);
    if (wasm) return wasm.run(image, options, (src, dst) => wasm.k.adjustHsv(src, dst, image.data.length, edit.channel === 2, edit.factor, edit.offset));
    const data = adjustHsv(image.data, edit, outputPixels(image, options));
    return { width: image.width, height: image.height, data };
  },
};
