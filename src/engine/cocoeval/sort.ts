/**
 * The score orders of pycocotools' np.argsort(-scores, kind='mergesort'): highest
 * score first, equal scores in their original order. Both functions give exactly that
 * order whatever algorithm runs underneath (ties are decided by index, never left to
 * the sort).
 */

/**
 * Stable sort of ord[0..n) (indices in ascending order) by score, highest first.
 * Ties are broken by index, which is the original order since ord starts ascending,
 * so any sorting algorithm gives numpy's mergesort order.
 */
export function sortByScoreDesc(ord: Int32Array, n: number, score: Float64Array): void {
  if (n <= 48) {
    for (let i = 1; i < n; i++) {
      const x = ord[i];
      const s = score[x];
      let j = i - 1;
      while (j >= 0 && score[ord[j]] < s) {
        ord[j + 1] = ord[j];
        j--;
      }
      ord[j + 1] = x;
    }
    return;
  }
  ord.subarray(0, n).sort((x, y) => {
    const sx = score[x];
    const sy = score[y];
    return sx > sy ? -1 : sx < sy ? 1 : x - y;
  });
}

/**
 * Indices 0..n-1 ordered by score, highest first, equal scores in index order (what a
 * stable sort gives). LSD radix sort on the 64 bits of the doubles in six digits of
 * 11, 11 and 10 bits per 32-bit half, all histograms counted in one pass: for the tens
 * of thousands of detections of one category it is several times cheaper than a
 * comparison sort, and stable by construction.
 */
export function stableOrderByScoreDesc(score: Float64Array, n: number): Int32Array {
  let perm = new Int32Array(n);
  if (n <= 256) {
    for (let i = 0; i < n; i++) perm[i] = i;
    sortByScoreDesc(perm, n, score);
    return perm;
  }
  // key whose unsigned ascending order is the scores' descending order; -0 counts as +0
  const bits = new Uint32Array(2);
  const asDouble = new Float64Array(bits.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const HI = little ? 1 : 0;
  const LO = 1 - HI;
  const keyHi = new Uint32Array(n);
  const keyLo = new Uint32Array(n);
  // six histograms of 2048 bins, offset by one for the prefix sums
  const count = new Int32Array(6 * 2049);
  for (let i = 0; i < n; i++) {
    asDouble[0] = score[i] === 0 ? 0 : score[i];
    let hi = bits[HI];
    let lo = bits[LO];
    if (hi & 0x80000000) {
      hi >>>= 0;
    } else {
      hi = (hi ^ 0x7fffffff) >>> 0;
      lo = ~lo >>> 0;
    }
    keyHi[i] = hi;
    keyLo[i] = lo;
    count[1 + (lo & 0x7ff)]++;
    count[2049 + 1 + ((lo >>> 11) & 0x7ff)]++;
    count[2 * 2049 + 1 + (lo >>> 22)]++;
    count[3 * 2049 + 1 + (hi & 0x7ff)]++;
    count[4 * 2049 + 1 + ((hi >>> 11) & 0x7ff)]++;
    count[5 * 2049 + 1 + (hi >>> 22)]++;
  }
  for (let i = 0; i < n; i++) perm[i] = i;
  let next = new Int32Array(n);
  for (let pass = 0; pass < 6; pass++) {
    const key = pass < 3 ? keyLo : keyHi;
    const shift = 11 * (pass % 3);
    const mask = pass % 3 === 2 ? 0x3ff : 0x7ff;
    const base = pass * 2049;
    if (count[base + 1 + ((key[0] >>> shift) & mask)] === n) continue; // one digit value: order unchanged
    for (let b = 0; b < 2048; b++) count[base + b + 1] += count[base + b];
    for (let i = 0; i < n; i++) {
      const x = perm[i];
      next[count[base + ((key[x] >>> shift) & mask)]++] = x;
    }
    const tmp = perm;
    perm = next;
    next = tmp;
  }
  return perm;
}
