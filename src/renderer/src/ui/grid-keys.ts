/**
 * Keyboard movement in a grid of `total` cells laid out row by row, `columns` to a row
 * (a list is a grid of one column). Pure index arithmetic, shared by the thumbnail
 * grid, the drill-down list and the corruption grid, which each are one tab stop with
 * a roving tabindex (the active cell 0, the others -1).
 *
 * Moves, from cell i (0-based), the result always clamped to 0..total-1:
 *   ArrowLeft / ArrowRight   i - 1 / i + 1, wrapping across rows (reading order)
 *   ArrowUp / ArrowDown      the same column one row up / down; from the row above a
 *                            short last row, ArrowDown lands on the last cell
 *   Home / End               first / last cell of i's row; in a one-column grid, or
 *                            with Ctrl, the first / last cell of the grid
 *   PageUp / PageDown        `pageRows` rows up / down, same column where it exists
 * Any other key is not a move (null), so the caller lets it through. Enter and Space
 * open the cell: `isActivation`.
 */

export interface GridShape {
  total: number;
  /** cells per row, at least 1 */
  columns: number;
  /** rows a PageUp / PageDown moves: the rows that fit the viewport, at least 1 */
  pageRows: number;
}

export interface GridKey {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
}

export function clampIndex(index: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(total - 1, Math.max(0, Math.trunc(index)));
}

/** Rows that fit a viewport fully, at least 1. */
export function pageRowsFor(viewportHeight: number, rowHeight: number): number {
  if (rowHeight <= 0) return 1;
  return Math.max(1, Math.floor(viewportHeight / rowHeight));
}

/**
 * i moved by `rows` rows, same column: past the first row it stops in the first row;
 * past the last cell it stops on the last cell, or stays where it is when it already
 * is in the last row.
 */
function byRows(i: number, rows: number, shape: GridShape): number {
  const { columns, total } = shape;
  const target = i + rows * columns;
  if (target < 0) return i % columns;
  if (target < total) return target;
  const lastRowStart = total - 1 - ((total - 1) % columns);
  return i >= lastRowStart ? i : total - 1;
}

/** The cell a key moves to from `index`; null when the key is not a move or the grid is empty. */
export function gridMove(event: GridKey, index: number, shape: GridShape): number | null {
  const { total } = shape;
  if (total <= 0) return null;
  const columns = Math.max(1, Math.trunc(shape.columns));
  const s = { ...shape, columns };
  const i = clampIndex(index, total);
  const rowStart = i - (i % columns);
  const whole = columns === 1 || Boolean(event.ctrlKey || event.metaKey);
  switch (event.key) {
    case 'ArrowLeft':
      return clampIndex(i - 1, total);
    case 'ArrowRight':
      return clampIndex(i + 1, total);
    case 'ArrowUp':
      return byRows(i, -1, s);
    case 'ArrowDown':
      return byRows(i, 1, s);
    case 'Home':
      return whole ? 0 : rowStart;
    case 'End':
      return whole ? total - 1 : clampIndex(rowStart + columns - 1, total);
    case 'PageUp':
      return byRows(i, -Math.max(1, shape.pageRows), s);
    case 'PageDown':
      return byRows(i, Math.max(1, shape.pageRows), s);
    default:
      return null;
  }
}

export function isActivation(event: GridKey): boolean {
  return event.key === 'Enter' || event.key === ' ';
}

/**
 * The cell that holds the grid's one tab stop among those rendered [first, end): the
 * active one when it is rendered, else the first rendered one, so a grid scrolled away
 * from its active cell can still be tabbed into. null when nothing is rendered.
 */
export function tabStop(active: number, first: number, end: number): number | null {
  if (end <= first) return null;
  return active >= first && active < end ? active : first;
}
