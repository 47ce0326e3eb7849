/**
 * Feature-map grid arithmetic shared by adapter detection and the grid decoders.
 * A stride-s head over an HxW input has ceil(H/s) x ceil(W/s) cells (conv stride 2 with
 * padding rounds up); for inputs divisible by the largest stride this is exactly H/s.
 */

export interface GridLevel {
  stride: number;
  /** cells across (x) */
  width: number;
  /** cells down (y) */
  height: number;
  /** row index of this level's first cell in the concatenated output */
  offset: number;
}

export function gridLevels(inputWidth: number, inputHeight: number, strides: readonly number[]): GridLevel[] {
  const levels: GridLevel[] = [];
  let offset = 0;
  for (const stride of strides) {
    const width = Math.ceil(inputWidth / stride);
    const height = Math.ceil(inputHeight / stride);
    levels.push({ stride, width, height, offset });
    offset += width * height;
  }
  return levels;
}

export function gridCellCount(inputWidth: number, inputHeight: number, strides: readonly number[]): number {
  return gridLevels(inputWidth, inputHeight, strides).reduce((n, l) => n + l.width * l.height, 0);
}

/** Stride sets tried when a model does not say which it uses: P3-P5, then P3-P6. */
export const CANDIDATE_STRIDE_SETS: readonly (readonly number[])[] = [
  [8, 16, 32],
  [8, 16, 32, 64],
];

/** The first candidate stride set whose cell count times `perCell` equals `rows`. */
export function matchStrides(
  rows: number,
  inputWidth: number,
  inputHeight: number,
  perCell: number,
): readonly number[] | null {
  for (const strides of CANDIDATE_STRIDE_SETS) {
    if (gridCellCount(inputWidth, inputHeight, strides) * perCell === rows) return strides;
  }
  return null;
}
