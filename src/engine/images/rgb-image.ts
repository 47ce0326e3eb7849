/**
 * The pixel buffer every kernel takes and returns: packed, row-major RGB, 8 bits per
 * channel (interleaved R,G,B). Grayscale and RGBA inputs are converted at the edge
 * (toRgb) so kernels only ever see 3 channels, as imagecorruptions does.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** length width*height*3, interleaved RGB */
  data: Uint8Array;
}

export function createRgb(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** Converts 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channel pixels to RGB; alpha is dropped. */
export function toRgb(width: number, height: number, channels: number, pixels: Uint8Array): RgbImage {
  if (channels === 3) return { width, height, data: pixels };
  const out = createRgb(width, height);
  const n = width * height;
  for (let i = 0; i < n; i++) {
    if (channels === 1 || channels === 2) {
      const v = pixels[i * channels];
      out.data[i * 3] = v;
      out.data[i * 3 + 1] = v;
      out.data[i * 3 + 2] = v;
    } else if (channels === 4) {
      out.data[i * 3] = pixels[i * 4];
      out.data[i * 3 + 1] = pixels[i * 4 + 1];
      out.data[i * 3 + 2] = pixels[i * 4 + 2];
    } else {
      throw new Error(`unsupported channel count ${channels}`);
    }
  }
  return out;
}
