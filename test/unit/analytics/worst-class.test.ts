import { describe, expect, it } from 'vitest';
import { lowestClass, worstEligibility } from '../../../src/engine/analytics/worst-class';

describe('worst class', () => {
  it('takes part only with at least the minimum GT count, and counts who is left out', () => {
    const e = worstEligibility([25, 9, 10, 0, 3], 10);
    expect([...e.eligible]).toEqual([1, 0, 1, 0, 0]);
    expect(e).toMatchObject({ count: 2, skipped: 2, withoutGt: 1 });
    // minimum 0: every class with GT
    expect(worstEligibility([25, 9, 0], 0).count).toBe(2);
  });

  it('is the eligible class with the lowest defined value, the first one on ties', () => {
    const eligible = Uint8Array.from([1, 0, 1, 1, 1]);
    expect(lowestClass([0.5, 0.1, 0.3, 0.3, NaN], eligible)).toEqual({ k: 2, value: 0.3 });
    expect(lowestClass([NaN, 0.1, NaN, NaN, NaN], eligible)).toEqual({ k: -1, value: NaN });
    // strided (offset 1, stride 2): 0.4, 0.2 (not eligible), 0.6, 0.8, 0.1
    expect(lowestClass([9, 0.4, 9, 0.2, 9, 0.6, 9, 0.8, 9, 0.1], eligible, 1, 2)).toEqual({ k: 4, value: 0.1 });
  });
});
