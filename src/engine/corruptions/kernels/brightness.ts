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
import type { CorruptionKernel } from '../kernel';
import type { RgbImage } from '../../images/rgb-image';
import { adjustHsv } from '../common/color';

export const BRIGHTNESS_SHIFT: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5];

export const brightness: CorruptionKernel = {
  name: 'brightness',
  apply(image, severity): RgbImage {
    const c = BRIGHTNESS_SHIFT[severity - 1];
    if (c === undefined) throw new RangeError(`brightness: severity must be 1..5, got ${severity}`);
    const data = adjustHsv(image.data, { channel: 2, factor: 1, offset: c });
    return { width: image.width, height: image.height, data };
  },
};
