/**
 * Exact Poisson sampling by table inversion, for kernels that draw many variates from
 * a few fixed means (shot noise: one mean per 8-bit input level, 256 in all).
 *
 * Method: k = min { k : u < F(k) } with F the Poisson CDF, u uniform in [0, 1) with 53
 * bits; a guide table (Chen & Asau 1974) finds the start of the search in O(1). This is
 * inversion, hence exact up to the double-precision rounding of F, the same standard
 * as numpy's own samplers. F is built from the pmf recursion p(k) = p(k-1) * lambda / k
 * from p(0) = exp(-lambda), so lambda is limited to what exp(-lambda) can represent
 * (<= 700); shot noise needs at most 60. The probability mass left after the table
 * stops (below 1e-17, i.e. smaller than the resolution of u) goes to the last entry.
 *
 * Why not a rejection sampler (PTRS, Hörmann 1993): with only 256 distinct means per
 * image, tables cost ~25k operations once and make every draw one uniform plus a
 * step or two, with no rejection loop and no lgamma.
 */

export const MAX_TABLE_LAMBDA = 700;

export class PoissonTable {
  readonly lambda: number;
  /** cdf[k] = P(K <= k); the last entry is exactly 1. */
  readonly cdf: Float64Array;
  /** guide[j] = first k with cdf[k] > j / size: where sample() starts its search */
  readonly guide: Int32Array;

  constructor(lambda: number) {
    if (!(lambda >= 0 && lambda <= MAX_TABLE_LAMBDA)) {
      throw new RangeError(`PoissonTable: lambda must be in [0, ${MAX_TABLE_LAMBDA}], got ${lambda}`);
    }
    this.lambda = lambda;
    const values: number[] = [];
    let p = Math.exp(-lambda);
    let f = p;
    values.push(f);
    // Past the mean, stop once a term (and so the geometric-like remaining tail) is below
    // 1e-17: the sum of F itself cannot resolve more than ~1.1e-16 below 1.
    for (let k = 1; k <= lambda || p > 1e-17; k++) {
      p = (p * lambda) / k;
      f += p;
      values.push(f);
    }
    values[values.length - 1] = 1;
    this.cdf = Float64Array.from(values);
    const m = this.cdf.length;
    this.guide = new Int32Array(m);
    let k = 0;
    for (let j = 0; j < m; j++) {
      while (this.cdf[k] <= j / m) k++;
      this.guide[j] = k;
    }
  }

  /** Number of table entries (largest value that can be returned, plus one). */
  get size(): number {
    return this.cdf.length;
  }

  /** The Poisson variate for a uniform u in [0, 1). */
  sample(u: number): number {
    const cdf = this.cdf;
    let k = this.guide[Math.floor(u * cdf.length)];
    while (u >= cdf[k]) k++;
    return k;
  }
}
