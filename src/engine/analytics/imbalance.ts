/**
 * Class imbalance: how a class's frequency relates to its AP and its robustness.
 *
 * Count of a class: its scored GT boxes in the audit (not crowd, not ignored), or the
 * training-set count the user supplies. Classes without scored GT take no part (they
 * have no AP to relate).
 *
 * Spearman's rank correlation (Spearman 1904; as scipy.stats.spearmanr): the Pearson
 * correlation of the two variables' ranks, equal values getting the average of the
 * ranks they span (fractional ranking), over the classes where both are defined:
 *   rho = sum (ra - mean ra)(rb - mean rb) / sqrt(sum (ra - mean ra)^2 sum (rb - mean rb)^2)
 * Undefined (null) for fewer than 3 classes, or when either variable is constant.
 *
 * Tail classes: the rarest third. With n classes sorted by count ascending, c* = the
 * count of the ceil(n / 3)-th; the tail is every class with count <= c* (so classes tied
 * with the boundary class are all in, and the tail may exceed a third).
 */

/** Fractional ranks (1-based; ties share the mean of their ranks). */
export function averageRanks(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Array<number>(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    const r = (i + 1 + j) / 2; // mean of ranks i+1 .. j
    for (let q = i; q < j; q++) ranks[order[q]] = r;
    i = j;
  }
  return ranks;
}

/** Spearman's rho over the pairs where both values are finite; null below 3 pairs or with a constant variable. */
export function spearman(x: readonly number[], y: readonly number[]): { rho: number | null; n: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]);
      ys.push(y[i]);
    }
  }
  const n = xs.length;
  if (n < 3) return { rho: null, n };
  const rx = averageRanks(xs);
  const ry = averageRanks(ys);
  const mean = (n + 1) / 2; // the mean of any fractional ranking of n items
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i] - mean;
    const dy = ry[i] - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return { rho: null, n };
  return { rho: sxy / Math.sqrt(sxx * syy), n };
}

export const TAIL_RULE =
  'rarest third: classes sorted by count ascending; c* = count of the ceil(n/3)-th; tail = every class with count <= c*';

/** Indices (into counts) of the tail classes among those with include[i]. */
export function tailClasses(counts: readonly number[], include: readonly boolean[]): number[] {
  const idx = counts.flatMap((_, i) => (include[i] ? [i] : []));
  if (idx.length === 0) return [];
  const sorted = idx.map((i) => counts[i]).sort((a, b) => a - b);
  const boundary = sorted[Math.ceil(idx.length / 3) - 1];
  return idx.filter((i) => counts[i] <= boundary);
}
