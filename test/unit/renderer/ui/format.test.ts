import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDate,
  formatDuration,
  formatMetric,
  formatPercent,
  formatShape,
  shortHash,
  sortPerClass,
  worstClass,
} from '../../../../src/renderer/src/ui/format';
import type { PerCategoryDto } from '../../../../src/shared/schemas';

const row = (id: number, name: string, AP: number | null, num_gt: number, AP50: number | null = AP, num_dets = 10): PerCategoryDto => ({
  id,
  name,
  AP,
  AP50,
  num_gt,
  num_dets,
});

describe('format helpers', () => {
  it('shortens hashes only when they are longer than asked', () => {
    const sha = 'a3f1c2d4e5b6a7980011223344556677';
    expect(shortHash(sha)).toBe('a3f1c2d4e5b6');
    expect(shortHash(sha, 4)).toBe('a3f1');
    expect(shortHash('abc')).toBe('abc');
  });

  it('writes byte counts in binary units, exact below 1 KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(3.7 * 1024 * 1024)).toBe('3.70 MiB');
    expect(formatBytes(25 * 1024 ** 3)).toBe('25.0 GiB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('writes durations as s, m ss, h mm and waits for a rate', () => {
    expect(formatDuration(null)).toBe('estimating…');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('estimating…');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(59.6)).toBe('1m 00s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(-5)).toBe('0s');
  });

  it('prints AP to three decimals and COCO -1 (no ground truth) as a dash', () => {
    expect(formatMetric(0.50749)).toBe('0.507');
    expect(formatMetric(0)).toBe('0.000');
    expect(formatMetric(1)).toBe('1.000');
    expect(formatMetric(-1)).toBe('—');
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(undefined)).toBe('—');
    expect(formatMetric(Number.NaN)).toBe('—');
  });

  it('rounds percentages and shapes symbolic dimensions', () => {
    expect(formatPercent(0.456)).toBe('46%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatShape([1, 3, 416, 416])).toBe('[1, 3, 416, 416]');
    expect(formatShape(['batch', 3, null, null])).toBe('[batch, 3, ?, ?]');
  });

  it('leaves an unparseable date as it came and shows a missing one as a dash', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('not a date');
    expect(formatDate('2024-05-17T10:30:00Z')).toContain('2024');
  });
});

describe('worstClass', () => {
  it('is the lowest AP among classes with ground truth and a defined AP', () => {
    const rows = [row(1, 'car', 0.6, 100), row(2, 'bus', 0.1, 0), row(3, 'person', 0.3, 40), row(4, 'train', -1, 5), row(5, 'bike', null, 3)];
    expect(worstClass(rows)?.name).toBe('person');
  });

  it('keeps the first in dataset order on a tie and is null when nothing qualifies', () => {
    expect(worstClass([row(1, 'a', 0.2, 5), row(2, 'b', 0.2, 5)])?.name).toBe('a');
    expect(worstClass([row(1, 'a', 0.2, 0), row(2, 'b', -1, 5)])).toBeNull();
    expect(worstClass([])).toBeNull();
  });
});

describe('sortPerClass', () => {
  const rows = [row(1, 'car', 0.6, 100), row(2, 'Bus', -1, 0), row(3, 'person', 0.3, 40), row(4, 'truck', null, 7), row(5, 'bike', 0.45, 12)];

  it('sorts by AP either way with missing values always last', () => {
    expect(sortPerClass(rows, 'AP', false).map((r) => r.name)).toEqual(['person', 'bike', 'car', 'Bus', 'truck']);
    expect(sortPerClass(rows, 'AP', true).map((r) => r.name)).toEqual(['car', 'bike', 'person', 'Bus', 'truck']);
  });

  it('sorts by name and counts, and never reorders its input', () => {
    const before = rows.map((r) => r.name);
    expect(sortPerClass(rows, 'name', false).map((r) => r.name)).toEqual(['bike', 'Bus', 'car', 'person', 'truck']);
    expect(sortPerClass(rows, 'num_gt', true).map((r) => r.num_gt)).toEqual([100, 40, 12, 7, 0]);
    expect(rows.map((r) => r.name)).toEqual(before);
  });
});
