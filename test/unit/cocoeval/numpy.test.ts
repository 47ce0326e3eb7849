import { describe, expect, it } from 'vitest';
import { linspace, numpyMean } from '../../../src/engine/cocoeval/numpy';

describe('numpy arithmetic', () => {
  // reference values printed by numpy: np.mean(a) with a[i] = ((i*0.1) % 1.7) + 1e-3*i + 1/(i+1)
  it.each([
    [5, 0.6586666666666667],
    [100, 0.8863737751763965],
    [1000, 1.3116854708605543],
    [5000, 3.305438901770617],
  ])('np.mean of %i values, bit for bit (pairwise summation)', (n, expected) => {
    const a = Array.from({ length: n }, (_, i) => ((i * 0.1) % 1.7) + 1e-3 * i + 1 / (i + 1));
    expect(numpyMean(a, n)).toBe(expected);
    // a left-to-right sum differs in the last bits: the test tells the two apart
    if (n >= 100) expect(a.reduce((s, v) => s + v, 0) / n).not.toBe(expected);
  });

  it('linspace computes i * step + start and ends exactly at stop', () => {
    expect(linspace(0.5, 0.95, 10)[7]).toBe(0.85);
    expect(linspace(0.5, 0.95, 10)[8]).toBe(0.8999999999999999);
    expect(linspace(0, 1, 101)[35]).toBe(0.35000000000000003);
    expect(linspace(2, 3, 1)).toEqual([2]);
    expect(linspace(0, 1, 0)).toEqual([]);
  });
});
