/**
 * The few numpy primitives whose exact floating-point behaviour pycocotools' numbers
 * depend on. Each reproduces numpy 1.24's arithmetic operation by operation, so the
 * results are bit-identical, not merely close.
 */

/**
 * np.linspace(start, stop, num) with endpoint=True: y[i] = i * step + start with
 * step = (stop - start) / (num - 1), two roundings per element, last element = stop.
 * This is why COCO's IoU thresholds contain 0.8999999999999999 and some recall
 * thresholds sit one ulp above the decimal (0.35000000000000003).
 */
export function linspace(start: number, stop: number, num: number): number[] {
  if (!Number.isInteger(num) || num < 0) throw new Error(`linspace: num must be a non-negative integer, got ${num}`);
  if (num === 0) return [];
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** numpy's PW_BLOCKSIZE for pairwise summation. */
const PW_BLOCKSIZE = 128;

/**
 * numpy's pairwise_sum for float64 (loops_utils.h): 8 interleaved accumulators in
 * blocks of up to 128, recursive halving (kept a multiple of 8) above that.
 */
export function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    const end8 = n - (n % 8);
    let i = 8;
    for (; i < end8; i += 8) {
      const b = start + i;
      r0 += a[b]; r1 += a[b + 1]; r2 += a[b + 2]; r3 += a[b + 3];
      r4 += a[b + 4]; r5 += a[b + 5]; r6 += a[b + 6]; r7 += a[b + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** numpy's default ufunc buffer size (np.getbufsize()). */
const NPY_BUFSIZE = 8192;

/**
 * np.mean of a 1-D float64 array: add.reduce divided by the count. The reduction runs
 * its inner loop over buffer-sized chunks of 8192 elements, each summed pairwise and
 * added in turn to the running result (which starts at the identity 0.0); the chunking
 * is visible in the last bit of COCO's APs/APm/APl and was checked against
 * pycocotools' output. NaN for an empty array, as numpy (callers guard that case).
 */
export function numpyMean(a: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let s = 0; s < n; s += NPY_BUFSIZE) sum += pairwiseSum(a, s, Math.min(NPY_BUFSIZE, n - s));
  return sum / n;
}
