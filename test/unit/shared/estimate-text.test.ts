import { describe, expect, it } from 'vitest';
import { estimateText } from '../../../src/shared/estimate-text';

describe('an estimate in words', () => {
  it('writes minutes with the range and the units', () => {
    expect(estimateText({ seconds: 12 * 60, low: 9 * 60, high: 16 * 60, units: 7600 })).toBe('≈ 12 min (9–16 min) for 7,600 units');
  });
  it('writes seconds under 90 s and hours from 90 min, the range in the same unit', () => {
    expect(estimateText({ seconds: 42.4, low: 30, high: 61, units: 48 })).toBe('≈ 42 s (30–61 s) for 48 units');
    expect(estimateText({ seconds: 2.5 * 3600, low: 2 * 3600, high: 3.2 * 3600, units: 1_000_000 })).toBe('≈ 2.5 h (2.0–3.2 h) for 1,000,000 units');
  });
  it('never shows a bound of zero', () => {
    expect(estimateText({ seconds: 100, low: 10, high: 200, units: 1 })).toBe('≈ 2 min (1–3 min) for 1 unit');
  });
});
