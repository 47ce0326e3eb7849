/**
 * JPEG compression (ImageNet-C / COCO-C benchmark corruption; deterministic).
 *
 * Definition (imagecorruptions `jpeg_compression`): encode with Pillow
 * `save(..., 'JPEG', quality=c)` (libjpeg(-turbo) baseline: IJG quantisation tables
 * scaled by quality, 4:2:0 chroma subsampling, ISLOW DCT, standard Huffman tables) and
 * decode again.
 *
 * | severity | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | JPEG quality c | 25 | 18 | 15 | 10 | 7 |
 *
 * Source: bethgelab/imagecorruptions c959e65 `imagecorruptions/corruptions.py`
 * (Michaelis et al. 2019; Hendrycks & Dietterich 2019), the published parameters.
 *
 * Implementation: sharp (libvips with mozjpeg) with every mozjpeg extension switched
 * off (no trellis quantisation, no overshoot deringing, no scan optimisation, no
 * mozjpeg quantisation tables), which makes it a plain libjpeg baseline encoder; see
 * the fidelity test for the measured agreement with the reference PNGs.
 *
 * sharp is asynchronous (its work runs on libuv's thread pool), so this kernel is
 * driven through `applyAsync`; the synchronous `apply` of the CorruptionKernel
 * interface throws and says so.
 */
import sharp from 'sharp';
import type { CorruptionKernel } from '../kernel';
import type { RgbImage } from '../../images/rgb-image';
import type { Rng } from '../../../shared/prng';
import type { Severity } from '../../../shared/corruptions';

export const JPEG_QUALITY: readonly number[] = [25, 18, 15, 10, 7];

export interface AsyncCorruptionKernel extends CorruptionKernel {
  applyAsync(image: RgbImage, severity: Severity, rng: Rng): Promise<RgbImage>;
}

export async function jpegRoundTrip(image: RgbImage, quality: number): Promise<RgbImage> {
  const { width, height } = image;
  const encoded = await sharp(image.data, { raw: { width, height, channels: 3 } })
    .jpeg({
      quality,
      chromaSubsampling: '4:2:0',
      mozjpeg: false,
      trellisQuantisation: false,
      overshootDeringing: false,
      optimiseScans: false,
      optimiseCoding: false,
      progressive: false,
      quantisationTable: 0,
    })
    .toBuffer();
  const { data, info } = await sharp(encoded, { ignoreIcc: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`jpeg_compression: decoded ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export const jpegCompression: AsyncCorruptionKernel = {
  name: 'jpeg_compression',
  apply(): RgbImage {
    throw new Error('jpeg_compression encodes with sharp, which is asynchronous: call jpegCompression.applyAsync()');
  },
  async applyAsync(image, severity): Promise<RgbImage> {
    const q = JPEG_QUALITY[severity - 1];
    if (q === undefined) throw new RangeError(`jpeg_compression: severity must be 1..5, got ${severity}`);
    return jpegRoundTrip(image, q);
  },
};
