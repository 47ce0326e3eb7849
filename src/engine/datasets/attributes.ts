/**
 * Attributes to slice a dataset by: the scalar fields the importers keep in `extra`,
 * on images (BDD100K weather / timeofday / scene, VOC segmented, COCO extras) and on
 * annotations (KITTI truncated / occluded, BDD occluded / truncated, VOC difficult),
 * plus the box filters every dataset has: COCO size class and crowd regions.
 *
 * Only top-level strings, numbers and booleans count; arrays and objects (KITTI
 * dimensions, dontcare boxes) are no slice. attribute-classes.ts decides how each is
 * offered: a value list (categories), a range with bins (measurements), or not at all
 * (identifiers such as coco_url, flickr_url, frame names, per-box ids).
 *
 * Values keep their JSON type: "1", 1 and true are three different values. A range
 * filter matches JSON numbers only: min <= v < max (v <= max with includeMax).
 *
 * Box filters (over the annotations table's own columns): a size class keeps the images
 * with at least one non-crowd box whose `area` lies in the class (src/shared/box-sizes.ts;
 * crowd regions are ignore regions in COCO evaluation, whatever their size); crowd true
 * keeps the images with at least one crowd region, false the images with none. With a
 * category, the box (or crowd region) must be of that category.
 */
import type { Db } from '../store/database';
import type { AttributeSummaryDto, BoxFacetsDto, BoxSize } from '../../shared/schemas';
import { BOX_SIZE_AREA } from '../../shared/box-sizes';
import { attributeSummary } from './attribute-classes';

export type AttributeValue = string | number | boolean;
export type AttributeScope = 'image' | 'annotation';

export type AttributeSummary = AttributeSummaryDto;

export type AttributeFilter =
  | { key: string; value: AttributeValue; scope?: AttributeScope }
  | { key: string; range: { min: number; max: number; includeMax?: boolean }; scope?: AttributeScope };

export interface ImageFilter {
  categoryId?: number;
  attribute?: AttributeFilter;
  boxSize?: BoxSize;
  crowd?: boolean;
}

/** One GROUP BY row of json_each over the extra_json column (SQLite's JSON types). */
export interface AttributeRow {
  scope: AttributeScope;
  key: string;
  type: 'text' | 'integer' | 'real' | 'true' | 'false';
  /** json_each's atom: the SQL value (1 / 0 for true / false) */
  atom: string | number;
  n: number;
}

const SCALAR_TYPES = "('text', 'integer', 'real', 'true', 'false')";

export function toAttributeValue(row: Pick<AttributeRow, 'type' | 'atom'>): AttributeValue {
  if (row.type === 'true') return true;
  if (row.type === 'false') return false;
  if (row.type === 'text') return String(row.atom);
  return Number(row.atom);
}

/**
 * Groups the rows by (scope, key) and classifies each (attribute-classes.ts): image
 * attributes first, keys in code-point order; hidden ones left out.
 */
export function summarizeAttributeRows(rows: readonly AttributeRow[]): AttributeSummary[] {
  const groups = new Map<string, { key: string; scope: AttributeScope; values: { value: AttributeValue; count: number }[] }>();
  for (const r of rows) {
    const id = `${r.scope}\u0000${r.key}`;
    let g = groups.get(id);
    if (!g) {
      g = { key: r.key, scope: r.scope, values: [] };
      groups.set(id, g);
    }
    g.values.push({ value: toAttributeValue(r), count: r.n });
  }
  return [...groups.values()]
    .map((g) => attributeSummary(g.key, g.scope, g.values))
    .filter((g): g is AttributeSummary => g !== null)
    .sort((a, b) => (a.scope === b.scope ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.scope === 'image' ? -1 : 1));
}

/** The attributes of one dataset and how often each value occurs. */
export function datasetAttributes(db: Db, datasetId: number): AttributeSummary[] {
  const images = db
    .prepare(
      `SELECT 'image' AS scope, j.key AS key, j.type AS type, j.atom AS atom, COUNT(*) AS n
       FROM images i, json_each(i.extra_json) j
       WHERE i.dataset_id = ? AND i.extra_json IS NOT NULL AND j.type IN ${SCALAR_TYPES}
       GROUP BY j.key, j.type, j.atom`,
    )
    .all(datasetId) as AttributeRow[];
  const annotations = db
    .prepare(
      `SELECT 'annotation' AS scope, j.key AS key, j.type AS type, j.atom AS atom, COUNT(*) AS n
       FROM annotations a, json_each(a.extra_json) j
       WHERE a.dataset_id = ? AND a.extra_json IS NOT NULL AND j.type IN ${SCALAR_TYPES}
       GROUP BY j.key, j.type, j.atom`,
    )
    .all(datasetId) as AttributeRow[];
  return summarizeAttributeRows([...images, ...annotations]);
}

/** Images per box size and with crowd regions, counted from the stored rows (summaries.ts counts the same at import). */
export function datasetBoxFacets(db: Db, datasetId: number): BoxFacetsDto {
  const { small, medium, large } = BOX_SIZE_AREA;
  const r = db
    .prepare(
      `SELECT COUNT(DISTINCT CASE WHEN iscrowd = 0 AND area < ? THEN image_id END) AS small,
              COUNT(DISTINCT CASE WHEN iscrowd = 0 AND area >= ? AND area < ? THEN image_id END) AS medium,
              COUNT(DISTINCT CASE WHEN iscrowd = 0 AND area >= ? THEN image_id END) AS large,
              COUNT(DISTINCT CASE WHEN iscrowd = 1 THEN image_id END) AS crowd
       FROM annotations WHERE dataset_id = ?`,
    )
    .get(small.max, medium.min, medium.max, large.min, datasetId) as { small: number; medium: number; large: number; crowd: number };
  const images = (db.prepare('SELECT COUNT(*) AS n FROM images WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
  return { sizes: { small: r.small, medium: r.medium, large: r.large }, crowd: { yes: r.crowd, no: images - r.crowd } };
}

/** SQL that is true when json_each row `j` holds the filter's value (with its JSON type) or a number in its range. */
function jsonMatch(attribute: AttributeFilter): { sql: string; args: (string | number)[] } {
  if ('range' in attribute) {
    const { min, max, includeMax } = attribute.range;
    return { sql: `j.type IN ('integer', 'real') AND j.atom >= ? AND j.atom ${includeMax ? '<=' : '<'} ?`, args: [min, max] };
  }
  const { value } = attribute;
  if (typeof value === 'boolean') return { sql: `j.type = '${value ? 'true' : 'false'}'`, args: [] };
  if (typeof value === 'number') return { sql: "j.type IN ('integer', 'real') AND j.atom = ?", args: [value] };
  return { sql: "j.type = 'text' AND j.atom = ?", args: [value] };
}

/**
 * The same over attribute_index's `value` (the value's JSON text). A range reads the
 * key's index entries (covering index) and compares them as numbers; JSON text that
 * starts with a quote, t, f or n is a string, boolean or null and never in a range.
 */
function indexMatch(attribute: AttributeFilter): { sql: string; args: (string | number)[] } {
  if ('range' in attribute) {
    const { min, max, includeMax } = attribute.range;
    return {
      sql: `value NOT GLOB '["tfn]*' AND CAST(value AS REAL) >= ? AND CAST(value AS REAL) ${includeMax ? '<=' : '<'} ?`,
      args: [min, max],
    };
  }
  return { sql: 'value = ?', args: [JSON.stringify(attribute.value)] };
}

/**
 * The WHERE clause (over `images`, without the dataset condition) that keeps the
 * images matching every given filter (AND). With a category, a box attribute, a box
 * size or a crowd region must be on a box of that category ("images with an occluded
 * car", "images with a small person").
 *
 * With `indexed` (the dataset's attribute_index holds this attribute: see
 * summaries.ts attributeIndexSteps) the attribute is looked up there, one index range;
 * otherwise every row's extra_json is read with json_each, which costs the dataset's
 * size (datasets stored before the index, attributes the summary does not offer).
 * Box size and crowd read annotations_by_size.
 */
export function imageFilterSql(datasetId: number, filter: ImageFilter, indexed = false): { sql: string; args: (string | number)[] } {
  const { categoryId, attribute, boxSize, crowd } = filter;
  const parts: string[] = [];
  const args: (string | number)[] = [];
  const byCategory = categoryId === undefined ? '' : ' AND category_id = ?';
  const categoryArgs = categoryId === undefined ? [] : [categoryId];
  let categoryCovered = false;
  const scope = attribute?.scope ?? 'image';
  if (attribute && indexed) {
    const m = indexMatch(attribute);
    if (scope === 'image') {
      parts.push(`id IN (SELECT image_id FROM attribute_index WHERE dataset_id = ? AND scope = 'image' AND key = ? AND ${m.sql})`);
      args.push(datasetId, attribute.key, ...m.args);
    } else {
      parts.push(`id IN (SELECT image_id FROM attribute_index WHERE dataset_id = ? AND scope = 'annotation' AND key = ? AND ${m.sql}${byCategory})`);
      args.push(datasetId, attribute.key, ...m.args, ...categoryArgs);
      categoryCovered = true;
    }
  } else if (attribute) {
    const m = jsonMatch(attribute);
    if (scope === 'image') {
      parts.push(`EXISTS (SELECT 1 FROM json_each(images.extra_json) j WHERE j.key = ? AND ${m.sql})`);
      args.push(attribute.key, ...m.args);
    } else {
      parts.push(
        `id IN (SELECT a.image_id FROM annotations a, json_each(a.extra_json) j
                WHERE a.dataset_id = ? ${categoryId === undefined ? '' : 'AND a.category_id = ?'} AND a.extra_json IS NOT NULL AND j.key = ? AND ${m.sql})`,
      );
      args.push(datasetId, ...categoryArgs, attribute.key, ...m.args);
      categoryCovered = true;
    }
  }
  if (boxSize) {
    const { min, max } = BOX_SIZE_AREA[boxSize];
    const upper = Number.isFinite(max) ? ' AND area < ?' : '';
    parts.push(`id IN (SELECT image_id FROM annotations WHERE dataset_id = ? AND iscrowd = 0 AND area >= ?${upper}${byCategory})`);
    args.push(datasetId, min, ...(upper ? [max] : []), ...categoryArgs);
    categoryCovered = true;
  }
  if (crowd !== undefined) {
    parts.push(`id ${crowd ? 'IN' : 'NOT IN'} (SELECT image_id FROM annotations WHERE dataset_id = ? AND iscrowd = 1${byCategory})`);
    args.push(datasetId, ...categoryArgs);
    if (crowd) categoryCovered = true;
  }
  if (categoryId !== undefined && !categoryCovered) {
    parts.push('id IN (SELECT image_id FROM annotations WHERE dataset_id = ? AND category_id = ?)');
    args.push(datasetId, categoryId);
  }
  return { sql: parts.map((p) => `AND ${p}`).join(' '), args };
}

/** The scalar fields of one extra_json value, for display. */
export function scalarAttributes(extraJson: string | null): Record<string, AttributeValue> {
  if (!extraJson) return {};
  const parsed = JSON.parse(extraJson) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
  }
  return out;
}
