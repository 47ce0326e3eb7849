import { describe, expect, it } from 'vitest';
import { averageRanks, spearman, tailClasses } from '../../../src/engine/analytics/imbalance';

describe('average ranks', () => {
  it('gives ties the mean of the ranks they span', () => {
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(averageRanks([3, 3, 3])).toEqual([2, 2, 2]);
    expect(averageRanks([])).toEqual([]);
  });
});

describe("Spearman's rank correlation", () => {
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    expect(spearman([1, 10, 100, 1000], [0.1, 0.2, 0.25, 0.9]).rho).toBeCloseTo(1, 14);
    expect(spearman([1, 10, 100, 1000], [0.9, 0.5, 0.25, 0.1]).rho).toBeCloseTo(-1, 14);
  });

  it('uses average ranks for ties: hand-computed and as scipy.stats.spearmanr', () => {
    // ranks x = 1, 2.5, 2.5, 4; y = 1, 2, 3, 4; deviations from 2.5:
    // x: -1.5, 0, 0, 1.5; y: -1.5, -0.5, 0.5, 1.5 -> 4.5 / sqrt(4.5 * 5) = 0.9486832980505139
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4]).rho).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 15);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4]).rho).toBeCloseTo(0.9486832980505139, 15);
    // scipy 1.17.1: spearmanr([10,3,3,50,7,7,1], [0.5,0.2,0.3,0.9,0.2,0.4,0.1]) = 0.8807710121010887
    expect(spearman([10, 3, 3, 50, 7, 7, 1], [0.5, 0.2, 0.3, 0.9, 0.2, 0.4, 0.1]).rho).toBeCloseTo(0.8807710121010887, 14);
  });

  it('is undefined below 3 pairs or for a constant variable, and skips undefined values', () => {
    expect(spearman([1, 2], [3, 4])).toEqual({ rho: null, n: 2 });
    expect(spearman([1, 2, 3], [0.5, 0.5, 0.5])).toEqual({ rho: null, n: 3 });
    expect(spearman([1, 2, 3, 4], [0.1, NaN, 0.3, 0.4])).toEqual({ rho: expect.closeTo(1, 14) as number, n: 3 });
    expect(spearman([1, 2, 3, 4], [0.1, NaN, 0.3, NaN]).rho).toBeNull();
  });
});

describe('tail classes', () => {
  it('takes the rarest third, ceil(n/3) classes, widened to ties at the boundary', () => {
    // n = 6 -> 2 rarest: counts 1, 1
    expect(tailClasses([5, 1, 1, 10, 20, 3], Array(6).fill(true))).toEqual([1, 2]);
    // boundary count 2 is shared by two classes: both are in (3 of 6)
    expect(tailClasses([1, 2, 2, 3, 4, 5], Array(6).fill(true))).toEqual([0, 1, 2]);
    // n = 4 -> ceil(4/3) = 2; n = 1 -> the class itself
    expect(tailClasses([40, 10, 30, 20], Array(4).fill(true))).toEqual([1, 3]);
    expect(tailClasses([7], [true])).toEqual([0]);
  });

  it('considers only the included classes', () => {
    // class 0 (count 0, not included) is not rare, it is absent
    expect(tailClasses([0, 5, 9, 12], [false, true, true, true])).toEqual([1]);
    expect(tailClasses([1, 2], [false, false])).toEqual([]);
  });
});
