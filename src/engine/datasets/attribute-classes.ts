/**
 * How a dataset attribute is offered as a filter, decided from its value counts alone
 * (one (scope, key): d distinct values carried by n items, n = images for scope image,
 * boxes for scope annotation, each item counted once per value it has):
 *
 *   numeric (every value a JSON number):
 *     all integral and d <= MAX_NUMERIC_CATEGORIES        -> values  (KITTI occlusion 0..3, licence ids)
 *     all integral, d > MIN_IDENTIFIER_VALUES, d > n / 2  -> hidden  (per-box / per-image ids)
 *     otherwise                                           -> range   (KITTI truncation, areas, alpha)
 *   anything else (strings, booleans, mixed JSON types):
 *     d <= MIN_IDENTIFIER_VALUES                          -> values  (weather, time of day, flags)
 *     d > MAX_ATTRIBUTE_VALUES or d > n / 2               -> hidden  (coco_url, flickr_url, frame names, paths)
 *     otherwise                                           -> values
 *
 * A range is offered as bins (`rangeBins`): edges at the 1/6 .. 5/6 quantiles of the
 * values (weighted by count), rounded to two significant digits, so a skewed
 * measurement (box areas) gets bins of similar weight. Where ties leave fewer than
 * MIN_BINS bins (KITTI truncation is 0 for most boxes), the bins are equal-width with
 * a round step (1, 2, 2.5 or 5 x 10^k) instead. Bins are [min, max) except the last,
 * which includes the attribute's maximum, so they tile [min, max]; empty bins are
 * dropped. Counts are items, as for values.
 */
import type { AttributeSummaryDto, AttributeValueDto } from '../../shared/schemas';

export const MAX_ATTRIBUTE_VALUES = 50;
/** below this many distinct values a field is a category, however few items carry it */
export const MIN_IDENTIFIER_VALUES = 20;
export const MAX_NUMERIC_CATEGORIES = 12;
/** bins a range aims for */
export const TARGET_BINS = 6;
export const MIN_BINS = 3;

export interface ValueCount {
  value: AttributeValueDto;
  count: number;
}

export interface RangeBin {
  min: number;
  max: number;
  includeMax: boolean;
  count: number;
}

export type AttributeClass = { kind: 'values' } | { kind: 'range' } | { kind: 'hidden'; reason: 'identifier' | 'too-many-values' };

export function classifyAttribute(values: readonly ValueCount[]): AttributeClass {
  const distinct = values.length;
  const items = values.reduce((s, v) => s + v.count, 0);
  const uniqueLike = distinct > MIN_IDENTIFIER_VALUES && distinct > items / 2;
  if (distinct > 0 && values.every((v) => typeof v.value === 'number')) {
    const integral = values.every((v) => Number.isInteger(v.value));
    if (integral && distinct <= MAX_NUMERIC_CATEGORIES) return { kind: 'values' };
    if (integral && uniqueLike) return { kind: 'hidden', reason: 'identifier' };
    return { kind: 'range' };
  }
  if (distinct <= MIN_IDENTIFIER_VALUES) return { kind: 'values' };
  if (uniqueLike) return { kind: 'hidden', reason: 'identifier' };
  if (distinct > MAX_ATTRIBUTE_VALUES) return { kind: 'hidden', reason: 'too-many-values' };
  return { kind: 'values' };
}

/** x rounded to two significant digits (0 stays 0). */
export function twoDigits(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(2));
}

/** The smallest of 1, 2, 2.5, 5 x 10^k that is >= x (x > 0). */
export function roundStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** Inner edges (strictly between min and max) at the weighted quantiles k / TARGET_BINS. */
function quantileEdges(sorted: readonly { value: number; count: number }[], total: number): number[] {
  const edges: number[] = [];
  let cum = 0;
  let k = 1;
  for (const v of sorted) {
    cum += v.count;
    while (k < TARGET_BINS && cum >= (k * total) / TARGET_BINS) {
      edges.push(twoDigits(v.value));
      k++;
    }
  }
  return edges;
}

function equalWidthEdges(min: number, max: number): number[] {
  const step = roundStep((max - min) / TARGET_BINS);
  const edges: number[] = [];
  for (let k = Math.floor(min / step) + 1; k * step < max; k++) edges.push(Number((k * step).toPrecision(12)));
  return edges;
}

function binsFor(sorted: readonly { value: number; count: number }[], min: number, max: number, inner: readonly number[]): RangeBin[] {
  const edges = [min, ...[...new Set(inner)].filter((e) => e > min && e < max).sort((a, b) => a - b), max];
  const bins: RangeBin[] = [];
  for (let i = 0; i + 1 < edges.length; i++) bins.push({ min: edges[i], max: edges[i + 1], includeMax: i + 2 === edges.length, count: 0 });
  if (!bins.length) bins.push({ min, max, includeMax: true, count: 0 });
  let b = 0;
  for (const v of sorted) {
    while (b + 1 < bins.length && v.value >= bins[b].max) b++;
    bins[b].count += v.count;
  }
  return bins.filter((x) => x.count > 0);
}

/** The bins of a numeric attribute (values need not be sorted; non-numbers are ignored). */
export function rangeBins(values: readonly ValueCount[]): { min: number; max: number; bins: RangeBin[] } {
  const sorted = values
    .filter((v): v is { value: number; count: number } => typeof v.value === 'number')
    .sort((a, b) => a.value - b.value);
  if (!sorted.length) return { min: 0, max: 0, bins: [] };
  const min = sorted[0].value;
  const max = sorted[sorted.length - 1].value;
  if (min === max) return { min, max, bins: [{ min, max, includeMax: true, count: sorted.reduce((s, v) => s + v.count, 0) }] };
  const total = sorted.reduce((s, v) => s + v.count, 0);
  const byQuantile = binsFor(sorted, min, max, quantileEdges(sorted, total));
  const bins = byQuantile.length >= MIN_BINS ? byQuantile : binsFor(sorted, min, max, equalWidthEdges(min, max));
  return { min, max, bins };
}

function compareValues(a: AttributeValueDto, b: AttributeValueDto): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'number') return (a as number) - (b as number);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The filter to offer for one attribute's value counts, or null when it is none. */
export function attributeSummary(key: string, scope: 'image' | 'annotation', values: readonly ValueCount[]): AttributeSummaryDto | null {
  const cls = classifyAttribute(values);
  if (cls.kind === 'hidden') return null;
  if (cls.kind === 'range') return { kind: 'range', key, scope, ...rangeBins(values) };
  return { kind: 'values', key, scope, values: [...values].sort((a, b) => b.count - a.count || compareValues(a.value, b.value)) };
}
