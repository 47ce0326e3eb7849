/**
 * numpy and Python numerics the kernels must reproduce exactly, because the reference's
 * values depend on them: numpy's pairwise summation (np.sum of float64, which decides the
 * normalisation of the gaussian and motion-blur weights to the last bit) and Python's
 * round() (half to even, which scipy's zoom uses for its output shape and snow for its
 * layer bytes). Also the element types of the arrays the filters read.
 *
 * Sources: numpy/core/src/umath/loops_utils.h.src (pairwise_sum, numpy 1.24; blocks of
 * 8 partial sums below 128 elements), CPython float.__round__.
 */

/** The arrays the filters read: numpy float64 / float32 images and 8-bit images. */
export type NumericArray = Float64Array | Float32Array | Uint8Array;

/** numpy's pairwise summation of float64 (np.sum of a contiguous 1-D array). */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.trunc(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Python's round() of a float (half to even), as scipy uses for zoom's output shape. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
