import { describe, expect, it } from 'vitest';
import { sortByScoreDesc, stableOrderByScoreDesc } from '../../../src/engine/cocoeval/sort';

/** numpy's argsort(-score, kind='mergesort'): a stable sort by score, highest first. */
function reference(score: Float64Array): number[] {
  return [...score.keys()].sort((x, y) => (score[y] > score[x] ? 1 : score[y] < score[x] ? -1 : 0));
}

/** Deterministic scores with many exact ties (5 decimals, as detector toolkits write them). */
function scores(n: number, seed: number, levels: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round((s / 2 ** 32) * levels) / 100000;
  }
  return out;
}

describe('score order (np.argsort(-s, kind="mergesort"))', () => {
  it.each([
    [10, 7],
    [48, 5],
    [49, 5],
    [300, 20],
    [5000, 400],
    [70000, 100000],
  ])('stableOrderByScoreDesc keeps index order among %i scores with %i levels', (n, levels) => {
    const s = scores(n, n + levels, levels);
    expect([...stableOrderByScoreDesc(s, n)]).toEqual(reference(s));
  });

  it.each([10, 48, 49, 300])('sortByScoreDesc keeps index order among %i scores', (n) => {
    const s = scores(n, n, 6);
    const ord = new Int32Array(n + 3).map((_, i) => i);
    sortByScoreDesc(ord, n, s);
    expect([...ord.subarray(0, n)]).toEqual(reference(s));
    expect([...ord.subarray(n)]).toEqual([n, n + 1, n + 2]); // beyond n untouched
  });

  it('orders negative scores, zeros of both signs and extremes like numpy', () => {
    const base = [0.5, -0.5, 0, -0, 1e-300, -1e-300, 1e300, -1e300, 0.5, -0, 0, 3, -3, 2 ** -1074];
    const s = Float64Array.from({ length: 600 }, (_, i) => base[i % base.length]);
    expect([...stableOrderByScoreDesc(s, s.length)]).toEqual(reference(s));
  });
});
