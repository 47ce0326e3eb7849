/**
 * gaussian_blur (and glass_blur's two blurs): skimage.filters.gaussian(x / 255, sigma,
 * channel_axis=-1) * 255 truncated to bytes, as ../kernels/gaussian_blur.ts
 * gaussianBlurBytes: the stream of ./gaussian.ts over the bytes as v / 255, 'nearest'
 * borders, the same weights on both axes, then uint8(clip(v, 0, 1) * 255).
 */
import { MODE_NEAREST, store8Bytes, unitByte, unitBytes2 } from './common';
import { SRC_UNIT_U8, gaussianNext, gaussianStart } from './gaussian';

/** dst (width x height x 3 bytes, not src) = the blurred image; weights: 2 radius + 1 float64. */
export function gaussianBlurBytes(src: usize, dst: usize, width: i32, height: i32, weights: usize, radius: i32): void {
  gaussianStart(width, height, 3, weights, radius, weights, radius, MODE_NEAREST, false, SRC_UNIT_U8, src);
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    const row = gaussianNext();
    const o = dst + <usize>y * rowLen;
    let i = 0;
    for (; i + 8 <= rowLen; i += 8) {
      const p = row + (<usize>i << 3);
      store8Bytes(
        o + i,
        unitBytes2(v128.load(p)),
        unitBytes2(v128.load(p, 16)),
        unitBytes2(v128.load(p, 32)),
        unitBytes2(v128.load(p, 48)),
      );
    }
    for (; i < rowLen; i++) store<u8>(o + i, unitByte(load<f64>(row + (<usize>i << 3))));
  }
}
