/**
 * Border extension of a 1-D line, as scipy.ndimage and OpenCV define it: which sample an
 * index outside [0, len) reads. Shared by the gaussian filter (scipy modes), the defocus
 * and OpenCV 3x3 filters (BORDER_REFLECT_101 = 'mirror'), zoom's edge mirroring and
 * elastic_transform's map_coordinates.
 *
 * Sources: scipy/ndimage/src/ni_support.c (NI_ExtendLine), OpenCV 4.6 borderInterpolate.
 */

/**
 * Border extension modes, named as in scipy.ndimage:
 * - 'reflect': half-sample symmetric, d c b a | a b c d | d c b a (cv2 BORDER_REFLECT)
 * - 'mirror': whole-sample symmetric, d c b | a b c d | c b a (cv2 BORDER_REFLECT_101)
 * - 'nearest': edge value repeated (cv2 BORDER_REPLICATE)
 */
export type BorderMode = 'reflect' | 'mirror' | 'nearest';

/** Maps an index outside [0, len) into it, periodically for pads longer than the line. */
export function borderIndex(i: number, len: number, mode: BorderMode): number {
  if (i >= 0 && i < len) return i;
  if (len <= 1) return 0;
  if (mode === 'nearest') return i < 0 ? 0 : len - 1;
  if (mode === 'reflect') {
    const period = 2 * len;
    let k = i % period;
    if (k < 0) k += period;
    return k < len ? k : period - 1 - k;
  }
  const period = 2 * len - 2;
  let k = i % period;
  if (k < 0) k += period;
  return k < len ? k : period - k;
}
