/** Small pure helpers for what the views display. */
import type { PerCategoryDto } from '../../../shared/schemas';

export function shortHash(hash: string, length = 12): string {
  return hash.length > length ? hash.slice(0, length) : hash;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** "12s", "3m 05s", "1h 02m"; null while there is no rate yet. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * AP-like values to 3 decimals, as pycocotools prints them. COCOeval reports -1 for
 * "no ground truth in this range"; that is not a score, so it shows as a dash.
 */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return '—';
  return value.toFixed(3);
}

export function formatPercent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * The class a safety case has to worry about first: the lowest AP among categories
 * that have ground truth and a defined AP. Ties keep the first in dataset order.
 */
export function worstClass(rows: readonly PerCategoryDto[]): PerCategoryDto | null {
  let worst: PerCategoryDto | null = null;
  for (const row of rows) {
    if (row.num_gt <= 0 || row.AP === null || row.AP < 0) continue;
    if (worst === null || row.AP < (worst.AP ?? Infinity)) worst = row;
  }
  return worst;
}

export type PerClassKey = 'name' | 'AP' | 'AP50' | 'num_gt' | 'num_dets';

/** Sorted copy; missing values (null or COCO's -1) always go last, whatever the direction. */
export function sortPerClass(rows: readonly PerCategoryDto[], key: PerClassKey, descending: boolean): PerCategoryDto[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (key === 'name') return sign * a.name.localeCompare(b.name);
    const va = a[key];
    const vb = b[key];
    const missingA = va === null || va < 0;
    const missingB = vb === null || vb < 0;
    if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
    return sign * (va - vb);
  });
}
