/**
 * Decoding an image file into the engine's one pixel form (packed 8-bit RGB).
 *
 * Pixels are taken as stored, the way PIL and OpenCV read them (and so the way
 * detectors are trained and the reference corruptions were computed):
 *   - EXIF orientation is NOT applied: COCO-style annotations refer to the stored grid;
 *   - an embedded ICC profile is NOT applied (sharp would otherwise convert through it,
 *     shifting the values the corruption kernels and models see).
 * Grayscale, CMYK and 16-bit inputs are converted to 8-bit sRGB; alpha is dropped.
 */
import sharp from 'sharp';
import { regularFileProblem } from '../../platform/node/files';
import { IMAGE_CONTENT_TYPES } from '../../shared/image-files';
import { describeLimit, limitValue, LIMITS } from '../../platform/node/limits';
import type { RgbImage } from './rgb-image';

/** The image types Odra reads: the types it serves (shared/image-files.ts), one table. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.keys(IMAGE_CONTENT_TYPES);

/**
 * Decodes an image file, or the bytes of one already read. Refused before any pixel is
 * decoded: a path that is not a regular file (a FIFO would block the read forever), and an
 * image whose header declares more pixels than ODRA_MAX_IMAGE_PIXELS (platform/node/limits.ts;
 * 3 bytes per decoded pixel). Errors are plain Errors whose message says the problem;
 * callers name the file.
 */
export async function decodeImage(input: string | Buffer): Promise<RgbImage> {
  if (typeof input === 'string') {
    const kind = await regularFileProblem(input);
    if (kind) throw new Error(`the image ${kind}`);
  }
  const maxPixels = limitValue(LIMITS.imagePixels);
  let result;
  try {
    result = await sharp(input, { failOn: 'error', limitInputPixels: maxPixels, ignoreIcc: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof Error && /exceeds pixel limit/i.test(err.message)) {
      const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => null);
      const size = meta?.width && meta.height ? `${meta.width}x${meta.height} (${((meta.width * meta.height) / 1e6).toFixed(1)} megapixels)` : 'larger than the limit';
      throw new Error(`the image is ${size}; Odra decodes images of ${describeLimit(LIMITS.imagePixels)} pixels`);
    }
    throw err;
  }
  const { data, info } = result;
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export async function encodePng(image: RgbImage, file: string): Promise<void> {
  await encodeImage(image, file, 'png');
}

/** Formats images are written in, by file extension. */
export const OUTPUT_FORMATS = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' } as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[keyof typeof OUTPUT_FORMATS];

/** The format a file name's extension asks for; null when Odra does not write it. */
export function outputFormat(file: string): OutputFormat | null {
  const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
  return Object.prototype.hasOwnProperty.call(OUTPUT_FORMATS, ext) ? OUTPUT_FORMATS[ext as keyof typeof OUTPUT_FORMATS] : null;
}

/**
 * Writes an image in `format`; `quality` (1..100) for JPEG (default 95, 4:4:4 chroma so
 * colour corruptions are not smeared further) and WebP (default 95); PNG is lossless.
 */
export async function encodeImage(image: RgbImage, file: string, format: OutputFormat, quality?: number): Promise<void> {
  const pixels = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  const encoded =
    format === 'png' ? pixels.png() : format === 'jpeg' ? pixels.jpeg({ quality: quality ?? 95, chromaSubsampling: '4:4:4' }) : pixels.webp({ quality: quality ?? 95 });
  await encoded.toFile(file);
}
