/** Distinct, colour-blind-friendlier hues (Tableau 10), assigned by category position. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function categoryColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

export const ACCENT = '#2f6fb3';
/** ACCENT for classes with too few GT boxes to rank */
export const MUTED_ACCENT = '#a9c3e0';
export const DANGER = '#c0392b';
