/**
 * The arithmetic of the virtualized thumbnail grid: how many columns fit, which rows
 * are on screen, and which pages of `datasets.images` those rows need. Pure, so the
 * grid stays smooth with any number of images: the DOM only ever holds the visible
 * rows plus a small margin, and only the pages under them are fetched and kept.
 */

export interface GridMetrics {
  columns: number;
  /** width of one cell in CSS pixels */
  cellWidth: number;
  /** height of one cell (frame + caption) */
  cellHeight: number;
  /** distance from one row's top to the next one's */
  rowHeight: number;
}

export interface GridSpec {
  /** narrowest a cell may get */
  minCellWidth: number;
  gap: number;
  /** frame height / width */
  frameRatio: number;
  /** caption and borders below the frame */
  captionHeight: number;
}

export function gridMetrics(width: number, spec: GridSpec): GridMetrics {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + spec.gap) / (spec.minCellWidth + spec.gap)));
  const cellWidth = Math.max(1, (usable - (columns - 1) * spec.gap) / columns);
  const cellHeight = Math.round(cellWidth * spec.frameRatio + spec.captionHeight);
  return { columns, cellWidth, cellHeight, rowHeight: cellHeight + spec.gap };
}

export function rowCount(total: number, columns: number): number {
  return total > 0 ? Math.ceil(total / Math.max(1, columns)) : 0;
}

/** Rows [first, last] (inclusive) to render: those in view plus `overscan` on each side; null when there are none. */
export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rows: number,
  overscan = 1,
): { first: number; last: number } | null {
  if (rows <= 0 || rowHeight <= 0) return null;
  const top = Math.max(0, scrollTop);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(rows - 1, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) - 1 + overscan);
  return first > last ? null : { first, last };
}

/** Item indices [start, end) of rows first..last. */
export function rowItems(first: number, last: number, columns: number, total: number): { start: number; end: number } {
  return { start: Math.min(total, first * columns), end: Math.min(total, (last + 1) * columns) };
}

/** Pages (offset = page * pageSize) that hold items [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/**
 * Pages to drop when the cache holds more than `keep`: the ones farthest from the
 * pages in view, so scrolling back a little never refetches.
 */
export function pagesToEvict(cached: readonly number[], inView: readonly number[], keep: number): number[] {
  if (cached.length <= keep) return [];
  const centre = inView.length ? (inView[0] + inView[inView.length - 1]) / 2 : 0;
  const visible = new Set(inView);
  return [...cached]
    .filter((p) => !visible.has(p))
    .sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre) || b - a)
    .slice(0, cached.length - keep);
}

/** The scrollTop that brings row `row` into view with the least movement; null when it already is. */
export function scrollToRow(row: number, rowHeight: number, scrollTop: number, viewportHeight: number, cellHeight: number): number | null {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + cellHeight > scrollTop + viewportHeight) return Math.max(0, top + cellHeight - viewportHeight);
  return null;
}
