/**
 * Decoding an image file into the engine's one pixel form (packed 8-bit RGB).
 *
 * EXIF orientation is deliberately NOT applied: COCO-style annotations refer to the
 * stored pixel grid, as pycocotools and the dataset tools that wrote them do.
 * Grayscale, CMYK and 16-bit inputs are converted to 8-bit sRGB; alpha is dropped.
 */
import sharp from 'sharp';
import type { RgbImage } from '../corruptions/common/image';

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff'];

export async function decodeImage(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file, { failOn: 'error', limitInputPixels: 268_402_689 })
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
