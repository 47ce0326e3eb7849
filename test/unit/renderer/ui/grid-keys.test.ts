import { describe, expect, it } from 'vitest';
import { clampIndex, gridMove, isActivation, pageRowsFor, sectionedMove, tabStop, type GridShape } from '../../../../src/renderer/src/ui/grid-keys';

/**
 * 4 columns, 14 cells, 2 rows to a page:
 *    0  1  2  3
 *    4  5  6  7
 *    8  9 10 11
 *   12 13
 */
const grid: GridShape = { total: 14, columns: 4, pageRows: 2 };
const move = (key: string, from: number, shape: GridShape = grid, ctrlKey = false): number | null => gridMove({ key, ctrlKey }, from, shape);

describe('gridMove: arrows', () => {
  it('moves left and right in reading order, wrapping across rows and stopping at both ends', () => {
    expect(move('ArrowRight', 5)).toBe(6);
    expect(move('ArrowRight', 3)).toBe(4);
    expect(move('ArrowLeft', 4)).toBe(3);
    expect(move('ArrowLeft', 0)).toBe(0);
    expect(move('ArrowRight', 13)).toBe(13);
  });

  it('moves up and down in the same column and stops at the first and last row', () => {
    expect(move('ArrowDown', 1)).toBe(5);
    expect(move('ArrowUp', 5)).toBe(1);
    expect(move('ArrowUp', 2)).toBe(2);
    expect(move('ArrowDown', 13)).toBe(13);
    expect(move('ArrowDown', 9)).toBe(13);
  });

  it('lands on the last cell when the column is missing from a short last row, and stays once in that row', () => {
    expect(move('ArrowDown', 10)).toBe(13);
    expect(move('ArrowDown', 11)).toBe(13);
    expect(move('ArrowDown', 12)).toBe(12);
  });
});

describe('gridMove: Home, End, PageUp, PageDown', () => {
  it('Home and End go to the ends of the row, with Ctrl to the ends of the grid', () => {
    expect(move('Home', 6)).toBe(4);
    expect(move('End', 5)).toBe(7);
    expect(move('End', 12)).toBe(13);
    expect(move('Home', 6, grid, true)).toBe(0);
    expect(move('End', 6, grid, true)).toBe(13);
    expect(gridMove({ key: 'End', metaKey: true }, 0, grid)).toBe(13);
  });

  it('in a one-column list Home and End go to the first and last item', () => {
    const list: GridShape = { total: 50, columns: 1, pageRows: 10 };
    expect(move('Home', 17, list)).toBe(0);
    expect(move('End', 17, list)).toBe(49);
    expect(move('ArrowDown', 17, list)).toBe(18);
    expect(move('ArrowRight', 17, list)).toBe(18);
  });

  it('pages by pageRows rows in the same column, stopping in the first row or on the last cell', () => {
    expect(move('PageDown', 1)).toBe(9);
    expect(move('PageDown', 6)).toBe(13);
    expect(move('PageDown', 8)).toBe(12);
    expect(move('PageUp', 10)).toBe(2);
    expect(move('PageUp', 6)).toBe(2);
    expect(move('PageDown', 13)).toBe(13);
    expect(gridMove({ key: 'PageDown' }, 0, { total: 100, columns: 5, pageRows: 0 })).toBe(5);
  });
});

describe('gridMove: everything else', () => {
  it('is no move for other keys and for an empty grid, so the key is left to the page', () => {
    expect(move('a', 3)).toBeNull();
    expect(move('Tab', 3)).toBeNull();
    expect(move('Enter', 3)).toBeNull();
    expect(move('ArrowDown', 0, { total: 0, columns: 4, pageRows: 2 })).toBeNull();
  });

  it('starts from a clamped index when the active cell is past a grid that shrank (a new filter)', () => {
    expect(move('ArrowLeft', 40)).toBe(12);
    expect(move('ArrowUp', -3)).toBe(0);
  });

  it('treats a fractional or zero column count as whole columns, at least one', () => {
    expect(move('ArrowDown', 1, { total: 14, columns: 4.7, pageRows: 1 })).toBe(5);
    expect(move('ArrowDown', 1, { total: 14, columns: 0, pageRows: 1 })).toBe(2);
  });
});

describe('helpers', () => {
  it('Enter and Space activate; arrows do not', () => {
    expect(isActivation({ key: 'Enter' })).toBe(true);
    expect(isActivation({ key: ' ' })).toBe(true);
    expect(isActivation({ key: 'ArrowDown' })).toBe(false);
  });

  it('clamps indices into the grid', () => {
    expect(clampIndex(-1, 10)).toBe(0);
    expect(clampIndex(10, 10)).toBe(9);
    expect(clampIndex(3.9, 10)).toBe(3);
    expect(clampIndex(5, 0)).toBe(0);
  });

  it('a page is the rows that fit the viewport, at least one', () => {
    expect(pageRowsFor(820, 200)).toBe(4);
    expect(pageRowsFor(100, 200)).toBe(1);
    expect(pageRowsFor(500, 0)).toBe(1);
  });

  it('the tab stop is the active cell when rendered, else the first rendered cell', () => {
    expect(tabStop(12, 8, 20)).toBe(12);
    expect(tabStop(3, 8, 20)).toBe(8);
    expect(tabStop(25, 8, 20)).toBe(8);
    expect(tabStop(0, 0, 0)).toBeNull();
  });
});

/**
 * Two sections, 4 columns: clean + 15 benchmark cells (16), then 4 held-out.
 *    0  1  2  3        16 17 18 19
 *    4  5  6  7
 *    8  9 10 11
 *   12 13 14 15
 * and a short first section [0..5] + [6..8] for the shorter-row cases.
 */
describe('sectionedMove', () => {
  const sizes = [16, 4];
  const sec = (key: string, from: number, s: readonly number[] = sizes, ctrlKey = false, pageRows = 2): number | null =>
    sectionedMove({ key, ctrlKey }, from, s, 4, pageRows);

  it('moves left and right through all sections in reading order', () => {
    expect(sec('ArrowRight', 15)).toBe(16);
    expect(sec('ArrowLeft', 16)).toBe(15);
    expect(sec('ArrowRight', 19)).toBe(19);
  });

  it('down from a section\'s last row enters the next section\'s first row in the same column, and back up', () => {
    expect(sec('ArrowDown', 13)).toBe(17);
    expect(sec('ArrowUp', 17)).toBe(13);
    expect(sec('ArrowDown', 9)).toBe(13);
    expect(sec('ArrowDown', 18)).toBe(18);
    expect(sec('ArrowUp', 2)).toBe(2);
  });

  it('lands on the last cell of a shorter row when the column is missing', () => {
    const short = [6, 3];
    // rows: [0 1 2 3] [4 5] | [6 7 8]
    expect(sec('ArrowDown', 3, short)).toBe(5);
    expect(sec('ArrowDown', 5, short)).toBe(7);
    expect(sec('ArrowUp', 8, short)).toBe(5);
    expect(sec('ArrowUp', 6, short)).toBe(4);
  });

  it('Home and End stay in the section\'s row; with Ctrl they go to the first and last cell', () => {
    expect(sec('Home', 18)).toBe(16);
    expect(sec('End', 17)).toBe(19);
    expect(sec('End', 13)).toBe(15);
    expect(sec('Home', 18, sizes, true)).toBe(0);
    expect(sec('End', 2, sizes, true)).toBe(19);
  });

  it('pages row by row across sections and stops at the edges', () => {
    expect(sec('PageDown', 1)).toBe(9);
    expect(sec('PageDown', 9)).toBe(17);
    expect(sec('PageDown', 17)).toBe(17);
    expect(sec('PageUp', 17)).toBe(9);
    expect(sec('PageUp', 5, sizes, false, 10)).toBe(1);
  });

  it('skips empty sections and is no move for other keys or an empty grid', () => {
    expect(sec('ArrowDown', 1, [2, 0, 3])).toBe(3);
    expect(sec('ArrowUp', 3, [2, 0, 3])).toBe(1);
    expect(sec('x', 1)).toBeNull();
    expect(sec('ArrowDown', 0, [0, 0])).toBeNull();
  });

  it('is gridMove when there is one section', () => {
    for (const key of ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'])
      for (let i = 0; i < 14; i++) expect(sectionedMove({ key }, i, [14], 4, 2), `${key} from ${i}`).toBe(gridMove({ key }, i, grid));
  });
});
