/**
 * What the UI shows of a dataset without touching its boxes, computed once at import
 * from the canonical dataset and stored with it: image and box counts, boxes per
 * category, the attribute summary (attributes.ts) that `datasets.attributes`
 * returns, and the images per box size / with crowd regions that `datasets.boxFacets`
 * returns (box-facets SQL in attributes.ts computes the same from stored rows).
 *
 * The attribute summary equals `datasetAttributes` (SQL json_each over the stored
 * extra_json) on the stored rows: the store writes each `extra` with JSON.stringify,
 * so a value's JSON type here is its type there (a finite number is 'integer' or
 * 'real' by its text, non-finite numbers become null and are no attribute; arrays,
 * objects and null are no attribute either). A test compares the two on real datasets.
 *
 * Written as a pass that yields between slices (drainAsync / drainSync).
 */
import type { CanonicalDataset } from './canonical';
import type { BoxFacetsDto } from '../../shared/schemas';
import { boxSizeOf } from '../../shared/box-sizes';
import { summarizeAttributeRows, type AttributeRow, type AttributeScope, type AttributeSummary } from './attributes';

export interface DatasetSummaries {
  imageCount: number;
  annotationCount: number;
  /** category id -> boxes (crowd regions included) */
  boxCounts: Map<number, number>;
  attributes: AttributeSummary[];
  boxFacets: BoxFacetsDto;
}

/** One row of the store's attribute_index (the migration that adds it). */
export interface AttributeIndexRow {
  scope: AttributeScope;
  key: string;
  /** the value's JSON text */
  value: string;
  /** the box's category (scope annotation), null for scope image */
  categoryId: number | null;
  imageId: number;
}

/** The value's JSON type as json_each names it, or null when it is no attribute value. */
function scalarType(v: unknown): AttributeRow['type'] | null {
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return Number.isInteger(v) && !String(v).includes('e') ? 'integer' : 'real';
  return null;
}

/**
 * The attribute_index rows of a dataset: for each attribute the summary offers, the
 * images with a value (scope image) and each distinct (image, category, value) of the
 * boxes (scope annotation).
 */
export function* attributeIndexSteps(
  ds: Pick<CanonicalDataset, 'images' | 'annotations'>,
  offered: readonly AttributeSummary[],
): Generator<void, AttributeIndexRow[]> {
  const keys = { image: new Set<string>(), annotation: new Set<string>() };
  for (const a of offered) keys[a.scope].add(a.key);
  const rows: AttributeIndexRow[] = [];
  if (keys.image.size) {
    for (let i = 0; i < ds.images.length; i++) {
      if (i % SLICE === SLICE - 1) yield;
      const im = ds.images[i];
      for (const key in im.extra) {
        const v = im.extra[key];
        if (keys.image.has(key) && scalarType(v)) rows.push({ scope: 'image', key, value: JSON.stringify(v), categoryId: null, imageId: im.id });
      }
    }
  }
  if (keys.annotation.size) {
    const seen = new Set<string>();
    for (let i = 0; i < ds.annotations.length; i++) {
      if (i % SLICE === SLICE - 1) yield;
      const a = ds.annotations[i];
      for (const key in a.extra) {
        const v = a.extra[key];
        if (!keys.annotation.has(key) || !scalarType(v)) continue;
        const value = JSON.stringify(v);
        const id = `${a.imageId}\u0000${a.categoryId}\u0000${key}\u0000${value}`;
        if (seen.has(id)) continue;
        seen.add(id);
        rows.push({ scope: 'annotation', key, value, categoryId: a.categoryId, imageId: a.imageId });
      }
    }
  }
  return rows;
}

const SLICE = 2000;
const SIZE_BIT = { small: 1, medium: 2, large: 4 } as const;

export function* summarySteps(ds: Pick<CanonicalDataset, 'images' | 'annotations'>): Generator<void, DatasetSummaries> {
  const boxCounts = new Map<number, number>();
  /** image id -> bits: 1 small, 2 medium, 4 large (non-crowd boxes), 8 a crowd region */
  const boxBits = new Map<number, number>();
  const counts = new Map<string, AttributeRow>();
  const count = (scope: AttributeScope, extra: Record<string, unknown>): void => {
    for (const key in extra) {
      const v = extra[key];
      const type = scalarType(v);
      if (!type) continue;
      const id = `${scope}\u0000${key}\u0000${type}\u0000${String(v)}`;
      const row = counts.get(id);
      if (row) row.n++;
      else counts.set(id, { scope, key, type, atom: typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number), n: 1 });
    }
  };
  for (let i = 0; i < ds.images.length; i++) {
    if (i % SLICE === SLICE - 1) yield;
    count('image', ds.images[i].extra);
  }
  for (let i = 0; i < ds.annotations.length; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const a = ds.annotations[i];
    boxCounts.set(a.categoryId, (boxCounts.get(a.categoryId) ?? 0) + 1);
    const bit = a.iscrowd ? 8 : SIZE_BIT[boxSizeOf(a.area)];
    boxBits.set(a.imageId, (boxBits.get(a.imageId) ?? 0) | bit);
    count('annotation', a.extra);
  }
  yield;
  const images = (bit: number): number => [...boxBits.values()].filter((b) => (b & bit) !== 0).length;
  const crowd = images(8);
  return {
    imageCount: ds.images.length,
    annotationCount: ds.annotations.length,
    boxCounts,
    attributes: summarizeAttributeRows([...counts.values()]),
    boxFacets: { sizes: { small: images(1), medium: images(2), large: images(4) }, crowd: { yes: crowd, no: ds.images.length - crowd } },
  };
}
