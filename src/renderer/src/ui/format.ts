/** Small pure helpers for what the views display. */
import type { EvaluationDto, PerCategoryDto } from '../../../shared/schemas';

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
 * Classes with fewer GT boxes than this are not named "worst class" by default: an AP
 * over a handful of boxes swings with one detection (3 boxes: one more miss moves it
 * by a third), so it would name noise, not the class that fails.
 */
export const DEFAULT_MIN_GT = 10;

const hasAp = (row: PerCategoryDto): boolean => row.num_gt > 0 && row.AP !== null && row.AP >= 0;

/**
 * The class a safety case has to worry about first: the lowest AP among categories
 * with at least `minGt` ground-truth boxes (and a defined AP). Ties keep the first in
 * dataset order.
 */
export function worstClass(rows: readonly PerCategoryDto[], minGt = 1): PerCategoryDto | null {
  let worst: PerCategoryDto | null = null;
  for (const row of rows) {
    if (!hasAp(row) || row.num_gt < minGt) continue;
    if (worst === null || (row.AP ?? Infinity) < (worst.AP ?? Infinity)) worst = row;
  }
  return worst;
}

export interface WorstClassSummary {
  worst: PerCategoryDto | null;
  /** other classes with exactly the worst AP (and enough GT) */
  ties: number;
  /** classes with a defined AP left out for having fewer than minGt GT, fewest first */
  skipped: PerCategoryDto[];
}

export function worstClassSummary(rows: readonly PerCategoryDto[], minGt: number): WorstClassSummary {
  const worst = worstClass(rows, minGt);
  const ties = worst ? rows.filter((r) => r.id !== worst.id && hasAp(r) && r.num_gt >= minGt && r.AP === worst.AP).length : 0;
  const skipped = rows.filter((r) => hasAp(r) && r.num_gt < minGt).sort((a, b) => a.num_gt - b.num_gt || a.id - b.id);
  return { worst, ties, skipped };
}

/** The #GT threshold typed by the analyst (a number input gives numbers, or '' when empty): a whole number >= 1, else the default. */
export function parseMinGt(value: string | number): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_MIN_GT;
}

/** Text for HTML that ECharts renders (tooltips): names come from dataset files. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
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

/**
 * What a stopped evaluation says about itself, in words: a cancelled one never shows
 * the abort's own text ("This operation was aborted", stored by evaluations recorded
 * before it was replaced), a failed one its error. Null for a running or done one.
 */
export function stoppedMessage(e: Pick<EvaluationDto, 'status' | 'error' | 'seconds'>): string | null {
  const after = e.seconds !== null ? ` after ${e.seconds.toFixed(1)} s` : '';
  if (e.status === 'cancelled') {
    const progress = /^cancelled after (\d+) of (\d+) images/.exec(e.error ?? '');
    const where = progress ? ` after ${progress[1]} of ${progress[2]} images${e.seconds !== null ? ` (${e.seconds.toFixed(1)} s)` : ''}` : after;
    return `Cancelled${where}. Nothing was scored, so this evaluation has no metrics.`;
  }
  if (e.status === 'failed') return `Failed${after}: ${e.error ?? 'no reason was recorded'}`;
  return null;
}

/**
 * The line shown after the analyst cancelled a run, from the engine's CANCELLED message
 * ("evaluation 12 cancelled after 23 of 68 images; nothing was scored"); a cancel that
 * reached the engine before any evaluation started has no such detail.
 */
export function cancelNotice(message: string): string {
  const m = /^evaluation (\d+) cancelled after (\d+) of (\d+) images/.exec(message);
  return m
    ? `Evaluation #${m[1]} was cancelled after ${m[2]} of ${m[3]} images; nothing was scored, so it has no results.`
    : 'The evaluation was cancelled before it started; nothing was scored.';
}
