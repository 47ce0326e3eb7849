/**
 * The paired bootstrap over images (Efron & Tibshirani 1993, "An Introduction to the
 * Bootstrap", ch. 6 and 13: nonparametric resampling, percentile intervals).
 *
 * Resamples: resample b (0 .. B-1) draws N images uniformly with replacement from the
 * audit's N images (in ascending id order); weight w_b[i] = how often image i was drawn.
 * Draw j of resample b is Rng(fnv1a32(`odra-bootstrap:<seed>:<b>`)).int(0, N), the
 * project PRNG (src/shared/prng.ts, xoshiro128**): each resample has its own stream, so
 * any one can be recomputed alone and B can grow without changing the first resamples.
 * Paired: the SAME weights serve every model and every condition, so a difference
 * between two models (or conditions) is measured on the same images in each resample.
 *
 * Interval: the 95% percentile interval [q(0.025), q(0.975)] of a statistic's values over
 * the resamples in which it is defined (a class absent from a resample has no AP there).
 * q is numpy's default np.percentile / np.quantile method 'linear' (Hyndman & Fan 1996,
 * type 7) on the sorted values x[0..n-1]: h = (n - 1) q, i = floor(h), g = h - i,
 *   q = x[i] + (x[i+1] - x[i]) g  when g < 0.5,  x[i+1] - (x[i+1] - x[i]) (1 - g)  else
 * (numpy's _lerp, which switches form at g = 0.5 for monotonicity); x[i+1] is x[n-1] past
 * the end. A difference is significant when its interval excludes 0.
 */
import { fnv1a32, Rng } from '../../shared/prng';

export const CI_LOW = 0.025;
export const CI_HIGH = 0.975;

/** [B * N] weights, row b = resample b. */
export function resampleWeights(n: number, resamples: number, seed: number): Int32Array {
  const w = new Int32Array(resamples * n);
  for (let b = 0; b < resamples; b++) {
    const rng = new Rng(fnv1a32(`odra-bootstrap:${seed}:${b}`));
    const row = b * n;
    for (let j = 0; j < n; j++) w[row + rng.int(0, n)]++;
  }
  return w;
}

/** numpy's np.quantile(x, q) (method 'linear') of ascending x[0..n-1], n >= 1. */
export function quantileSorted(x: ArrayLike<number>, n: number, q: number): number {
  const h = (n - 1) * q;
  const i = Math.floor(h);
  if (i >= n - 1) return x[n - 1];
  const a = x[i];
  const b = x[i + 1];
  const g = h - i;
  const d = b - a;
  return g >= 0.5 ? b - d * (1 - g) : a + d * g;
}

/**
 * 95% percentile interval of values[offset + j * stride] for j < count, NaN entries
 * skipped; null when none is defined. `scratch` must hold count numbers.
 */
export function interval95(
  values: Float64Array, offset: number, stride: number, count: number, scratch: Float64Array,
): [number, number] | null {
  let n = 0;
  for (let j = 0; j < count; j++) {
    const v = values[offset + j * stride];
    if (!Number.isNaN(v)) scratch[n++] = v;
  }
  if (n === 0) return null;
  const sorted = scratch.subarray(0, n).sort();
  return [quantileSorted(sorted, n, CI_LOW), quantileSorted(sorted, n, CI_HIGH)];
}

/** Whether an interval excludes 0; null without one. */
export function significant(ci: [number, number] | null): boolean | null {
  return ci === null ? null : ci[0] > 0 || ci[1] < 0;
}
