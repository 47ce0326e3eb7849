import { describe, expect, it } from 'vitest';
import { attributeSummary, classifyAttribute, rangeBins, roundStep, twoDigits, type ValueCount } from '../../../src/engine/datasets/attribute-classes';
import { boxSizeOf } from '../../../src/shared/box-sizes';

const each = (values: readonly (string | number | boolean)[], count = 1): ValueCount[] => values.map((value) => ({ value, count }));
const range = (n: number, f: (i: number) => string | number): (string | number)[] => Array.from({ length: n }, (_, i) => f(i));

describe('classifyAttribute', () => {
  it('hides strings that are (nearly) unique per item: URLs, frame names', () => {
    expect(classifyAttribute(each(range(48, (i) => `http://images.cocodataset.org/val2017/${i}.jpg`)))).toEqual({ kind: 'hidden', reason: 'identifier' });
    // 30 distinct over 40 images: still more than half
    expect(classifyAttribute([...each(range(29, (i) => `f${i}`)), { value: 'f29', count: 11 }]).kind).toBe('hidden');
  });

  it('lists a string field with few values as categories, even on a tiny dataset where each value is unique', () => {
    expect(classifyAttribute(each(['clear', 'rainy', 'snowy'])).kind).toBe('values');
    expect(classifyAttribute(each([true, false], 7)).kind).toBe('values');
  });

  it('lists a string field with many values over many items, and hides one past the option limit', () => {
    expect(classifyAttribute(each(range(40, (i) => `scene${i}`), 10)).kind).toBe('values');
    expect(classifyAttribute(each(range(51, (i) => `scene${i}`), 10))).toEqual({ kind: 'hidden', reason: 'too-many-values' });
  });

  it('lists integral numbers with few levels (KITTI occlusion 0..3) as categories', () => {
    expect(classifyAttribute([{ value: 0, count: 161 }, { value: 1, count: 54 }, { value: 2, count: 41 }, { value: 3, count: 18 }]).kind).toBe('values');
  });

  it('hides integral per-box ids and bins integral measurements with many levels', () => {
    expect(classifyAttribute(each(range(469, (i) => 284996 + i)))).toEqual({ kind: 'hidden', reason: 'identifier' });
    // 40 heights over 400 boxes: a measurement, not an id
    expect(classifyAttribute(each(range(40, (i) => 20 + i), 10)).kind).toBe('range');
  });

  it('bins real-valued attributes, however few their distinct values (KITTI truncation)', () => {
    expect(classifyAttribute([{ value: 0, count: 240 }, { value: 0.5, count: 3 }]).kind).toBe('range');
  });

  it('a field mixing numbers and strings is a value list', () => {
    expect(classifyAttribute(each([1, '1', 0.5])).kind).toBe('values');
  });
});

describe('rangeBins', () => {
  const total = (bins: { count: number }[]): number => bins.reduce((s, b) => s + b.count, 0);

  it('tiles [min, max] with half-open bins whose last one includes max, and counts every value once', () => {
    const values = each(range(200, (i) => (i * i) / 10));
    const { min, max, bins } = rangeBins(values);
    expect([min, max]).toEqual([0, (199 * 199) / 10]);
    expect(bins[0].min).toBe(min);
    expect(bins[bins.length - 1]).toMatchObject({ max, includeMax: true });
    for (let i = 0; i + 1 < bins.length; i++) {
      expect(bins[i].max).toBe(bins[i + 1].min);
      expect(bins[i].includeMax).toBe(false);
    }
    expect(total(bins)).toBe(200);
    for (const b of bins) {
      const inside = values.filter((v) => (v.value as number) >= b.min && (b.includeMax ? (v.value as number) <= b.max : (v.value as number) < b.max));
      expect(b.count, `${b.min}..${b.max}`).toBe(inside.length);
    }
  });

  it('gives a skewed measurement (box areas) 5 to 8 quantile bins of similar weight with two-digit edges', () => {
    const areas = each(range(600, (i) => Math.round(50 * 1.015 ** i)));
    const { bins } = rangeBins(areas);
    expect(bins.length).toBeGreaterThanOrEqual(5);
    expect(bins.length).toBeLessThanOrEqual(8);
    for (const b of bins.slice(1, -1)) expect(twoDigits(b.min)).toBe(b.min);
    for (const b of bins) expect(b.count).toBeLessThan(600 / 2);
  });

  it('falls back to round equal-width bins when one value holds most of the weight (truncation mostly 0)', () => {
    const truncation = [{ value: 0, count: 240 }, ...each(range(30, (i) => Number((0.02 + i * 0.03).toFixed(2))))];
    const { bins } = rangeBins(truncation);
    expect(bins.length).toBeGreaterThanOrEqual(3);
    expect(bins[0]).toMatchObject({ min: 0, max: 0.2 });
    expect(bins[0].count).toBeGreaterThanOrEqual(240);
    expect(total(bins)).toBe(270);
  });

  it('one value is one closed bin; empty bins are dropped', () => {
    expect(rangeBins([{ value: 2.5, count: 4 }]).bins).toEqual([{ min: 2.5, max: 2.5, includeMax: true, count: 4 }]);
    const { bins } = rangeBins([{ value: 0, count: 100 }, { value: 0.01, count: 1 }, { value: 1, count: 1 }]);
    expect(bins.every((b) => b.count > 0)).toBe(true);
    expect(total(bins)).toBe(102);
  });

  it('round steps are 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0.15, 0.3, 2.2, 7, 1000].map(roundStep)).toEqual([0.2, 0.5, 2.5, 10, 1000]);
  });
});

describe('attributeSummary', () => {
  it('orders a value list by count then value, and leaves identifiers out', () => {
    expect(attributeSummary('weather', 'image', [{ value: 'rainy', count: 2 }, { value: 'clear', count: 5 }, { value: 'foggy', count: 2 }])).toEqual({
      kind: 'values',
      key: 'weather',
      scope: 'image',
      values: [
        { value: 'clear', count: 5 },
        { value: 'foggy', count: 2 },
        { value: 'rainy', count: 2 },
      ],
    });
    expect(attributeSummary('flickr_url', 'image', each(range(55, (i) => `http://farm${i}`)))).toBeNull();
  });
});

describe('boxSizeOf', () => {
  it('splits at 32² and 96² with the lower edge in the larger class', () => {
    expect([0, 1023.9, 1024, 9215.9, 9216, 1e7].map(boxSizeOf)).toEqual(['small', 'small', 'medium', 'medium', 'large', 'large']);
  });
});
