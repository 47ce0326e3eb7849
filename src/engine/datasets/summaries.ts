/**
 * What the UI shows of a dataset without touching its boxes, computed once at import
 * from the canonical dataset and stored with it: image and box counts, boxes per
 * category, and the attribute summary (attributes.ts) that `datasets.attributes`
 * returns.
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
import { summarizeAttributeRows, type AttributeRow, type AttributeScope, type AttributeSummary } from './attributes';

export interface DatasetSummaries {
  imageCount: number;
  annotationCount: number;
  /** category id -> boxes (crowd regions included) */
  boxCounts: Map<number, number>;
  attributes: AttributeSummary[];
}

const SLICE = 10_000;

export function* summarySteps(ds: Pick<CanonicalDataset, 'images' | 'annotations'>): Generator<void, DatasetSummaries> {
  const boxCounts = new Map<number, number>();
  const counts = new Map<string, AttributeRow>();
  const count = (scope: AttributeScope, extra: Record<string, unknown>): void => {
    for (const key in extra) {
      const v = extra[key];
      let type: AttributeRow['type'];
      if (typeof v === 'string') type = 'text';
      else if (typeof v === 'boolean') type = v ? 'true' : 'false';
      else if (typeof v === 'number' && Number.isFinite(v)) type = Number.isInteger(v) && !String(v).includes('e') ? 'integer' : 'real';
      else continue;
      const id = `${scope}\u0000${key}\u0000${type}\u0000${String(v)}`;
      const row = counts.get(id);
      if (row) row.n++;
      else counts.set(id, { scope, key, type, atom: typeof v === 'boolean' ? (v ? 1 : 0) : v, n: 1 });
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
    count('annotation', a.extra);
  }
  yield;
  return {
    imageCount: ds.images.length,
    annotationCount: ds.annotations.length,
    boxCounts,
    attributes: summarizeAttributeRows([...counts.values()]),
  };
}
