import { describe, expect, it } from 'vitest';
import { interval95, quantileSorted, resampleWeights, significant } from '../../../src/engine/analytics/bootstrap';

describe('percentile interval (numpy quantile, method linear)', () => {
  it('interpolates between order statistics: hand-computed', () => {
    // h = 4 * 0.025 = 0.1 -> 1 + 0.1 (2 - 1); h = 4 * 0.975 = 3.9 -> 5 - (5 - 4) * 0.1
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    expect(quantileSorted(x, 5, 0.025)).toBeCloseTo(1.1, 14);
    expect(quantileSorted(x, 5, 0.975)).toBeCloseTo(4.9, 14);
    expect(quantileSorted(x, 5, 0)).toBe(1);
    expect(quantileSorted(x, 5, 1)).toBe(5);
    expect(quantileSorted(x, 5, 0.5)).toBe(3);
    expect(quantileSorted(Float64Array.from([7]), 1, 0.975)).toBe(7);
  });

  it("equals np.percentile bit for bit, both of _lerp's branches included", () => {
    // reference values from numpy 2.4.6: np.percentile(x, 2.5), np.percentile(x, 97.5)
    const x = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 997 + i * 1e-3);
    const sorted = (a: number[]): Float64Array => Float64Array.from(a).sort();
    const full = sorted(x);
    expect(quantileSorted(full, 1000, 0.025)).toBe(0.2390671013039118);
    expect(quantileSorted(full, 1000, 0.975)).toBe(1.762881519558676);
    const part = sorted(x.slice(0, 137));
    expect(quantileSorted(part, 137, 0.025)).toBe(0.0800481444332999);
    expect(quantileSorted(part, 137, 0.975)).toBe(1.042912738214644);
    const tenths = sorted(Array.from({ length: 41 }, (_, i) => 0.1 * i));
    expect(quantileSorted(tenths, 41, 0.025)).toBe(0.1);
    expect(quantileSorted(tenths, 41, 0.975)).toBe(3.9000000000000004);
    const big = sorted([0.1, 0.30000000000000004, 1e16, 1e16 + 2]);
    expect(quantileSorted(big, 4, 0.025)).toBe(0.115);
    expect(quantileSorted(big, 4, 0.975)).toBe(1.0000000000000002e16);
    expect(quantileSorted(big, 4, 0.5)).toBe(5e15);
  });

  it('skips undefined values and reads a strided column', () => {
    // column 1 of a 3-column table: 5, NaN, 1, 3, 2, 4 -> sorted 1..5
    const table = Float64Array.from([0, 5, 0, 0, NaN, 0, 0, 1, 0, 0, 3, 0, 0, 2, 0, 0, 4, 0]);
    const ci = interval95(table, 1, 3, 6, new Float64Array(6));
    expect(ci?.[0]).toBeCloseTo(1.1, 14);
    expect(ci?.[1]).toBeCloseTo(4.9, 14);
    expect(interval95(Float64Array.from([NaN, NaN]), 0, 1, 2, new Float64Array(2))).toBeNull();
  });

  it('calls a difference significant when its interval excludes 0', () => {
    expect(significant([0.01, 0.2])).toBe(true);
    expect(significant([-0.3, -0.001])).toBe(true);
    expect(significant([-0.1, 0.1])).toBe(false);
    expect(significant([0, 0.1])).toBe(false);
    expect(significant([0, 0])).toBe(false);
    expect(significant(null)).toBeNull();
  });
});

describe('resample weights', () => {
  it('draws N images with replacement per resample', () => {
    const w = resampleWeights(50, 20, 7);
    for (let b = 0; b < 20; b++) {
      const row = w.subarray(b * 50, (b + 1) * 50);
      expect(row.reduce((s, v) => s + v, 0)).toBe(50);
      expect(row.every((v) => v >= 0)).toBe(true);
    }
    // about 1 - 1/e of the images appear in a resample
    let present = 0;
    for (const v of w) if (v > 0) present++;
    expect(present / w.length).toBeGreaterThan(0.55);
    expect(present / w.length).toBeLessThan(0.72);
  });

  it('is fixed by the seed, and a resample does not depend on how many are drawn', () => {
    expect(resampleWeights(30, 5, 1)).toEqual(resampleWeights(30, 5, 1));
    expect(resampleWeights(30, 5, 1)).not.toEqual(resampleWeights(30, 5, 2));
    expect(resampleWeights(30, 8, 1).subarray(0, 150)).toEqual(resampleWeights(30, 5, 1));
  });

  it('keeps its golden stream (a change here changes every interval of every audit)', () => {
    expect([...resampleWeights(6, 3, 42)]).toEqual([1, 1, 0, 1, 2, 1, 2, 1, 0, 1, 1, 1, 0, 1, 1, 1, 2, 1]);
  });
});
