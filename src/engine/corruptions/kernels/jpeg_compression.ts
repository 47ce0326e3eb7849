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
 *
 * WebAssembly backend (wasm/jpeg.ts): no codec at all. Entropy coding is lossless, so the
 * round trip's pixels are those of colour conversion, 4:2:0 downsampling, forward DCT,
 * quantisation, dequantisation, inverse DCT, fancy upsampling and conversion back, which
 * wasm/jpeg.ts computes in libjpeg-turbo's integer arithmetic, bit for bit the bytes sharp
 * gives (test/unit/corruptions/wasm-backend.test.ts compares them), without the encoder's
 * Huffman pass, the decoder's parsing and sharp's per-call pipeline. The quantisation
 * tables are made here as libjpeg's jpeg_set_quality makes them.
 */
import sharp from 'sharp';
import { outputPixels, type CorruptionKernel, type KernelOptions } from '../kernel';
import { wasmKernels } from '../wasm-backend';
import type { RgbImage } from '../../images/rgb-image';
import type { Rng } from '../../../shared/prng';
import type { Severity } from '../../../shared/corruptions';

export const JPEG_QUALITY: readonly number[] = [25, 18, 15, 10, 7];

/** The quantisation tables of ITU-T T.81 Annex K (K.1), natural (row-major) order. */
const ANNEX_K_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68,
  109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const ANNEX_K_CHROMINANCE = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...new Array<number>(32).fill(99),
];

/**
 * libjpeg's jpeg_set_quality(quality, force_baseline = TRUE) table: scale = 5000 / q
 * (q < 50, computed in float and truncated, as mozjpeg's jpeg_float_quality_scaling)
 * or 200 - 2 q; entry = (base * scale + 50) / 100 (integer division), limited to 1..255.
 */
export function quantTable(base: readonly number[], quality: number): Int32Array {
  const scale = quality < 50 ? Math.trunc(Math.fround(5000 / quality)) : 200 - quality * 2;
  return Int32Array.from(base, (v) => Math.min(255, Math.max(1, Math.trunc((v * scale + 50) / 100))));
}

export interface AsyncCorruptionKernel extends CorruptionKernel {
  applyAsync(image: RgbImage, severity: Severity, rng: Rng, options?: KernelOptions): Promise<RgbImage>;
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
  async applyAsync(image, severity, _rng, options?: KernelOptions): Promise<RgbImage> {
    const q = JPEG_QUALITY[severity - 1];
    if (q === undefined) throw new RangeError(`jpeg_compression: severity must be 1..5, got ${severity}`);
    const wasm = wasmKernels(options?.backend);
    if (wasm) {
      return wasm.run(image, options, (src, dst) => {
        wasm.k.jpegTables(wasm.i32In(quantTable(ANNEX_K_LUMINANCE, q)), wasm.i32In(quantTable(ANNEX_K_CHROMINANCE, q)));
        wasm.k.jpegRoundTrip(src, dst, image.width, image.height);
      });
    }
    const out = await jpegRoundTrip(image, q);
    if (!options?.out) return out;
    const data = outputPixels(image, options);
    data.set(out.data);
    return { width: image.width, height: image.height, data };
  },
};
