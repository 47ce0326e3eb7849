import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDate,
  formatDuration,
  formatMetric,
  formatPercent,
  formatShape,
  shortHash,
  cancelNotice,
  DEFAULT_MIN_GT,
  escapeHtml,
  parseMinGt,
  sortPerClass,
  stoppedMessage,
  worstClass,
  worstClassSummary,
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

describe('worst class with its support', () => {
  // KITTI after the class-map fix: Tram has 8 GT, Truck 12
  const kitti = [row(1, 'Car', 0.22, 182), row(3, 'Truck', 0.31, 12), row(4, 'Pedestrian', 0.17, 37), row(7, 'Tram', 0.04, 8), row(9, 'Misc', null, 0)];

  it('skips classes below the minimum GT count (default 10) and says which', () => {
    expect(DEFAULT_MIN_GT).toBe(10);
    const s = worstClassSummary(kitti, DEFAULT_MIN_GT);
    expect(s.worst?.name).toBe('Pedestrian');
    expect(s.skipped.map((c) => c.name)).toEqual(['Tram']);
    expect(s.ties).toBe(0);
    // lowered to 1 the 8-box Tram is the worst
    expect(worstClassSummary(kitti, 1)).toMatchObject({ worst: { name: 'Tram' }, skipped: [] });
    // raised above every class: nothing to rank, everything skipped (fewest GT first)
    expect(worstClassSummary(kitti, 500)).toMatchObject({ worst: null, ties: 0 });
    expect(worstClassSummary(kitti, 500).skipped.map((c) => c.name)).toEqual(['Tram', 'Truck', 'Pedestrian', 'Car']);
    expect(worstClass(kitti, 13)?.name).toBe('Pedestrian');
  });

  it('counts ties among the classes it ranks only', () => {
    const rows = [row(1, 'a', 0.2, 50), row(2, 'b', 0.2, 50), row(3, 'c', 0.2, 3)];
    expect(worstClassSummary(rows, 10)).toMatchObject({ worst: { name: 'a' }, ties: 1 });
  });

  it('reads the typed minimum: a whole number >= 1, else the default', () => {
    expect([parseMinGt('25'), parseMinGt(' 1 '), parseMinGt('0'), parseMinGt('2.5'), parseMinGt(''), parseMinGt('x')]).toEqual([25, 1, 10, 10, 10, 10]);
    // what a number input gives through v-model
    expect([parseMinGt(3), parseMinGt(0), parseMinGt(1.5)]).toEqual([3, 10, 10]);
  });

  it('escapes names for the chart tooltip', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});

describe('what a stopped evaluation says', () => {
  it('a cancelled one says so plainly, never the abort text, with how far it got when known', () => {
    expect(stoppedMessage({ status: 'cancelled', error: 'cancelled after 23 of 68 images; nothing was scored', seconds: 4.26 })).toBe(
      'Cancelled after 23 of 68 images (4.3 s). Nothing was scored, so this evaluation has no metrics.',
    );
    // recorded by an older Odra
    expect(stoppedMessage({ status: 'cancelled', error: 'This operation was aborted', seconds: null })).toBe(
      'Cancelled. Nothing was scored, so this evaluation has no metrics.',
    );
    expect(stoppedMessage({ status: 'failed', error: 'model.onnx: not an ONNX model', seconds: 1 })).toBe('Failed after 1.0 s: model.onnx: not an ONNX model');
    expect(stoppedMessage({ status: 'done', error: null, seconds: 3 })).toBeNull();
    expect(stoppedMessage({ status: 'running', error: null, seconds: null })).toBeNull();
  });

  it("the run's cancel notice names the evaluation and how far it got", () => {
    expect(cancelNotice('evaluation 12 cancelled after 23 of 68 images; nothing was scored')).toBe(
      'Evaluation #12 was cancelled after 23 of 68 images; nothing was scored, so it has no results.',
    );
    expect(cancelNotice('cancelled before it started')).toBe('The evaluation was cancelled before it started; nothing was scored.');
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
