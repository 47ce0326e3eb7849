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
 *   PageUp / PageDown        `pageRows` rows up / down, same column, stopping in the
 *                            first / last row (on its last cell when it is short)
 * Any other key is not a move (null), so the caller lets it through. Enter and Space
 * open the cell: `isActivation`.
 *
 * `sectionedMove` is the same over a grid split into sections that each start a new
 * row (the corruption grid's benchmark and held-out blocks): positions run through
 * the sections in order; Left / Right and Ctrl+Home / Ctrl+End move through all of
 * them, Home / End stay in the section's row, and Up / Down past a section's first or
 * last row enter the neighbouring section's last or first row in the same column
 * (its last cell when that row is shorter).
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
 * past the last row it stops in the last row, on the last cell when that row is too
 * short for the column, and stays where it is when it already is in the last row.
 */
function byRows(i: number, rows: number, shape: GridShape): number {
  const { columns, total } = shape;
  const target = i + rows * columns;
  if (target < 0) return i % columns;
  if (target < total) return target;
  const lastRowStart = total - 1 - ((total - 1) % columns);
  return i >= lastRowStart ? i : Math.min(lastRowStart + (i % columns), total - 1);
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

/** Where a flat position falls: its section and its index in that section. */
function locate(position: number, sizes: readonly number[]): { section: number; local: number; offset: number } {
  let offset = 0;
  for (let section = 0; section < sizes.length; section++) {
    if (position < offset + sizes[section]) return { section, local: position - offset, offset };
    offset += sizes[section];
  }
  return { section: sizes.length - 1, local: sizes[sizes.length - 1] - 1, offset: offset - sizes[sizes.length - 1] };
}

function offsetOf(section: number, sizes: readonly number[]): number {
  let offset = 0;
  for (let s = 0; s < section; s++) offset += sizes[s];
  return offset;
}

/** One row up (-1) or down (+1), into the neighbouring non-empty section when the row is the section's edge. */
function sectionRowStep(position: number, dir: -1 | 1, sizes: readonly number[], columns: number): number {
  const { section, local, offset } = locate(position, sizes);
  const within = gridMove({ key: dir > 0 ? 'ArrowDown' : 'ArrowUp' }, local, { total: sizes[section], columns, pageRows: 1 });
  if (within !== null && within !== local) return offset + within;
  const column = local % columns;
  for (let s = section + dir; s >= 0 && s < sizes.length; s += dir) {
    const n = sizes[s];
    if (n <= 0) continue;
    const start = offsetOf(s, sizes);
    if (dir > 0) return start + Math.min(column, n - 1);
    const lastRowStart = n - 1 - ((n - 1) % columns);
    return start + Math.min(lastRowStart + column, n - 1);
  }
  return position;
}

/** The position a key moves to in a grid of sections of `sizes` cells; null when the key is not a move or the grid is empty. */
export function sectionedMove(event: GridKey, position: number, sizes: readonly number[], columns: number, pageRows: number): number | null {
  const total = sizes.reduce((a, b) => a + Math.max(0, b), 0);
  if (total <= 0) return null;
  const cols = Math.max(1, Math.trunc(columns));
  const clean = sizes.map((n) => Math.max(0, n));
  const p = clampIndex(position, total);
  const { section, local, offset } = locate(p, clean);
  const whole = Boolean(event.ctrlKey || event.metaKey);
  switch (event.key) {
    case 'ArrowLeft':
    case 'ArrowRight':
      return gridMove(event, p, { total, columns: cols, pageRows: 1 });
    case 'Home':
    case 'End': {
      if (whole || cols === 1) return event.key === 'Home' ? 0 : total - 1;
      const within = gridMove(event, local, { total: clean[section], columns: cols, pageRows: 1 });
      return within === null ? null : offset + within;
    }
    case 'ArrowUp':
    case 'ArrowDown':
    case 'PageUp':
    case 'PageDown': {
      const dir = event.key === 'ArrowUp' || event.key === 'PageUp' ? -1 : 1;
      const steps = event.key.startsWith('Page') ? Math.max(1, Math.trunc(pageRows)) : 1;
      let at = p;
      for (let i = 0; i < steps; i++) {
        const next = sectionRowStep(at, dir, clean, cols);
        if (next === at) break;
        at = next;
      }
      return at;
    }
    default:
      return null;
  }
}
