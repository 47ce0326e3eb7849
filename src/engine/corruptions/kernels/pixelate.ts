/**
 * Pixelate (ImageNet-C / COCO-C benchmark corruption; deterministic).
 *
 * Definition (imagecorruptions `pixelate`): Pillow resize to (int(W * c), int(H * c))
 * with the BOX filter (area average), then back to (W, H) with NEAREST.
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | scale c | 0.6 | 0.5 | 0.4 | 0.3 | 0.25 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 * common/resize.ts reproduces Pillow's fixed-point arithmetic, so outputs match the
 * reference PNGs exactly.
 *
 * Edge case: Pillow refuses a zero-sized target, which int(W * c) gives for images
 * narrower than 1 / c pixels (the reference requires >= 32 px); here the reduced size
 * is at least 1, so a tiny image becomes its mean colour instead of an error.
 */
import type { CorruptionKernel } from '../kernel';
import type { RgbImage } from '../common/image';
import { BOX_FILTER, resample, resizeNearest } from '../common/resize';

export const PIXELATE_SCALE: readonly number[] = [0.6, 0.5, 0.4, 0.3, 0.25];

export const pixelate: CorruptionKernel = {
  name: 'pixelate',
  apply(image, severity): RgbImage {
    const c = PIXELATE_SCALE[severity - 1];
    if (c === undefined) throw new RangeError(`pixelate: severity must be 1..5, got ${severity}`);
    if (image.width < 1 || image.height < 1) {
      return { width: image.width, height: image.height, data: new Uint8Array(image.data) };
    }
    const w = Math.max(1, Math.trunc(image.width * c));
    const h = Math.max(1, Math.trunc(image.height * c));
    const small = resample(image, w, h, BOX_FILTER);
    return resizeNearest(small, image.width, image.height);
  },
};
