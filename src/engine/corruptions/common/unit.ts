/**
 * The reference's conversion of 8-bit pixels to the unit range: x / 255 in float64
 * (imagecorruptions' `np.array(x) / 255.`) and np.float32(x) / 255 in float32 (the
 * kernels that convert to float32 first), as 256-entry lookup tables, and the whole image
 * in float32 for kernels that read each pixel several times.
 */
import { growF32 } from './scratch';

/** 8-bit value v as the reference's x / 255 (float64), and np.float32(x) / 255 (float32). */
export const UNIT_F64: Float64Array = Float64Array.from({ length: 256 }, (_, v) => v / 255);
export const UNIT_F32: Float32Array = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The image as float32(v / 255), shared by the kernels that read it many times (see unitImage). */
let unitImageScratch = new Float32Array(0);

/**
 * `data` as float32(v / 255) (np.float32(x) / 255), in a buffer shared by all callers
 * (see common/scratch.ts): valid until the next call, so a kernel calls it once, at its
 * start. Kernels that read each pixel several times (zoom_blur, elastic_transform) save
 * a table lookup per read.
 */
export function unitImage(data: Uint8Array): Float32Array {
  unitImageScratch = growF32(unitImageScratch, data.length);
  const unit = unitImageScratch;
  const lut = UNIT_F32;
  for (let i = 0; i < data.length; i++) unit[i] = lut[data[i]];
  return unit;
}
