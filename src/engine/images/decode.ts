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
import type { RgbImage } from './rgb-image';

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff'];

/** Decodes a file, or the bytes of one already read. */
export async function decodeImage(input: string | Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: 268_402_689, ignoreIcc: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export async function encodePng(image: RgbImage, file: string): Promise<void> {
  await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png()
    .toFile(file);
}
