import { describe, expect, it } from 'vitest';
import { gridMetrics, pagesFor, pagesToEvict, rowCount, rowItems, scrollToRow, visibleRows } from '../../../../src/renderer/src/ui/virtual-grid';

const spec = { minCellWidth: 200, gap: 12, frameRatio: 3 / 4, captionHeight: 28 };

describe('gridMetrics', () => {
  it('fits as many columns of at least the minimum width as the row allows, gaps included', () => {
    // 5 * 200 + 4 * 12 = 1048 fits in 1100; 6 columns would need 1260
    const m = gridMetrics(1100, spec);
    expect(m.columns).toBe(5);
    expect(m.cellWidth).toBeCloseTo((1100 - 4 * 12) / 5, 10);
    expect(m.cellHeight).toBe(Math.round(m.cellWidth * 0.75 + 28));
    expect(m.rowHeight).toBe(m.cellHeight + 12);
    expect(gridMetrics(1048, spec).columns).toBe(5);
    expect(gridMetrics(1047, spec).columns).toBe(4);
  });

  it('keeps one column when the area is narrower than a cell, or not measured yet', () => {
    expect(gridMetrics(150, spec).columns).toBe(1);
    expect(gridMetrics(0, spec).columns).toBe(1);
    expect(gridMetrics(0, spec).cellWidth).toBe(1);
  });
});

describe('rows in view', () => {
  it('counts rows, partial last row included', () => {
    expect(rowCount(10_000, 5)).toBe(2000);
    expect(rowCount(10_001, 5)).toBe(2001);
    expect(rowCount(0, 5)).toBe(0);
  });

  it('renders the rows in view plus the overscan, never past the ends', () => {
    // rows of 100 px, a 350 px viewport at 1000 px: rows 10..13 are visible
    expect(visibleRows(1000, 350, 100, 2000, 0)).toEqual({ first: 10, last: 13 });
    expect(visibleRows(1000, 350, 100, 2000, 1)).toEqual({ first: 9, last: 14 });
    expect(visibleRows(0, 350, 100, 2000, 2)).toEqual({ first: 0, last: 5 });
    expect(visibleRows(199_700, 350, 100, 2000, 1)).toEqual({ first: 1996, last: 1999 });
    expect(visibleRows(0, 350, 100, 0)).toBeNull();
  });

  it('a 10k-image grid holds a few dozen cells wherever it is scrolled', () => {
    const m = gridMetrics(1100, spec);
    const rows = rowCount(10_000, m.columns);
    for (const top of [0, 123_456, rows * m.rowHeight - 630]) {
      const r = visibleRows(top, 630, m.rowHeight, rows, 1)!;
      const { start, end } = rowItems(r.first, r.last, m.columns, 10_000);
      expect(end - start).toBeLessThanOrEqual(7 * m.columns);
      expect(end - start).toBeGreaterThan(0);
    }
    // scrolled to the bottom, the last image is among the rendered ones
    const last = visibleRows(rows * m.rowHeight - 630, 630, m.rowHeight, rows, 1)!;
    expect(rowItems(last.first, last.last, m.columns, 10_000).end).toBe(10_000);
  });

  it('item ranges stop at the total (partial last row)', () => {
    expect(rowItems(0, 1, 5, 7)).toEqual({ start: 0, end: 7 });
    expect(rowItems(2, 3, 5, 7)).toEqual({ start: 7, end: 7 });
  });
});

describe('pages', () => {
  it('lists the pages under an item range', () => {
    expect(pagesFor(0, 1, 120)).toEqual([0]);
    expect(pagesFor(100, 130, 120)).toEqual([0, 1]);
    expect(pagesFor(240, 360, 120)).toEqual([2]);
    expect(pagesFor(5, 5, 120)).toEqual([]);
  });

  it('evicts the pages farthest from the view, never one in view', () => {
    expect(pagesToEvict([0, 1, 2, 3], [2], 4)).toEqual([]);
    expect(pagesToEvict([0, 1, 2, 3, 10, 11], [2, 3], 4)).toEqual([11, 10]);
    expect(pagesToEvict([0, 1, 2, 3, 4], [0], 2)).toEqual([4, 3, 2]);
  });

  it('scrolls a row into view with the least movement', () => {
    // rows of 100 px (cells 88 px), viewport 300 px at 1000
    expect(scrollToRow(11, 100, 1000, 300, 88)).toBeNull();
    expect(scrollToRow(9, 100, 1000, 300, 88)).toBe(900);
    expect(scrollToRow(13, 100, 1000, 300, 88)).toBe(1300 + 88 - 300);
  });
});
