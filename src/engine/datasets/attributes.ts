/**
 * Attributes to slice a dataset by: the scalar fields the importers keep in `extra`,
 * on images (BDD100K weather / timeofday / scene, VOC segmented, COCO extras) and on
 * annotations (KITTI truncated / occluded, BDD occluded / truncated, VOC difficult).
 *
 * Only top-level strings, numbers and booleans count; arrays and objects (KITTI
 * dimensions, dontcare boxes) are no slice. A key with more than
 * MAX_ATTRIBUTE_VALUES distinct values is a measurement or an identifier (KITTI alpha,
 * BDD frame names) rather than a category to slice by, and is left out.
 *
 * Values keep their JSON type: "1", 1 and true are three different values.
 */
import type { Db } from '../store/database';

export type AttributeValue = string | number | boolean;
export type AttributeScope = 'image' | 'annotation';

export interface AttributeSummary {
  key: string;
  /** image: a field of the image; annotation: a field of its boxes */
  scope: AttributeScope;
  /** most frequent first, then by value; count = images (scope image) or annotations (scope annotation) */
  values: { value: AttributeValue; count: number }[];
}

export interface AttributeFilter {
  key: string;
  value: AttributeValue;
  /** default image */
  scope?: AttributeScope;
}

export const MAX_ATTRIBUTE_VALUES = 50;

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

function compareValues(a: AttributeValue, b: AttributeValue): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'number') return (a as number) - (b as number);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Groups the rows by (scope, key): image attributes first, keys in code-point order. */
export function summarizeAttributeRows(rows: readonly AttributeRow[], maxValues = MAX_ATTRIBUTE_VALUES): AttributeSummary[] {
  const groups = new Map<string, AttributeSummary>();
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
    .filter((g) => g.values.length <= maxValues)
    .map((g) => ({ ...g, values: g.values.sort((a, b) => b.count - a.count || compareValues(a.value, b.value)) }))
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

/** SQL that is true when json_each row `j` holds `value` with its JSON type. */
function valueMatch(value: AttributeValue): { sql: string; args: (string | number)[] } {
  if (typeof value === 'boolean') return { sql: `j.type = '${value ? 'true' : 'false'}'`, args: [] };
  if (typeof value === 'number') return { sql: "j.type IN ('integer', 'real') AND j.atom = ?", args: [value] };
  return { sql: "j.type = 'text' AND j.atom = ?", args: [value] };
}

/**
 * The WHERE clause (over `images`, without the dataset condition) that keeps the
 * images of a category and/or an attribute value. With a category and an annotation
 * attribute, one and the same box must have both ("images with an occluded car").
 *
 * With `indexed` (the dataset's attribute_index holds this attribute: see
 * summaries.ts attributeIndexSteps) the attribute is looked up there, one index range;
 * otherwise every row's extra_json is read with json_each, which costs the dataset's
 * size (datasets stored before the index, attributes the summary does not offer).
 */
export function imageFilterSql(
  datasetId: number,
  filter: { categoryId?: number; attribute?: AttributeFilter },
  indexed = false,
): { sql: string; args: (string | number)[] } {
  const { categoryId, attribute } = filter;
  if (attribute && indexed) {
    const scope = attribute.scope ?? 'image';
    const value = JSON.stringify(attribute.value);
    if (scope === 'image') {
      const parts = ["id IN (SELECT image_id FROM attribute_index WHERE dataset_id = ? AND scope = 'image' AND key = ? AND value = ?)"];
      const args: (string | number)[] = [datasetId, attribute.key, value];
      if (categoryId !== undefined) {
        parts.push('id IN (SELECT image_id FROM annotations WHERE dataset_id = ? AND category_id = ?)');
        args.push(datasetId, categoryId);
      }
      return { sql: parts.map((p) => `AND ${p}`).join(' '), args };
    }
    const byCategory = categoryId === undefined ? '' : ' AND category_id = ?';
    return {
      sql: `AND id IN (SELECT image_id FROM attribute_index WHERE dataset_id = ? AND scope = 'annotation' AND key = ? AND value = ?${byCategory})`,
      args: [datasetId, attribute.key, value, ...(categoryId === undefined ? [] : [categoryId])],
    };
  }
  const parts: string[] = [];
  const args: (string | number)[] = [];
  const scope = attribute?.scope ?? 'image';
  if (attribute && scope === 'image') {
    const m = valueMatch(attribute.value);
    parts.push(`EXISTS (SELECT 1 FROM json_each(images.extra_json) j WHERE j.key = ? AND ${m.sql})`);
    args.push(attribute.key, ...m.args);
  }
  if (attribute && scope === 'annotation') {
    const m = valueMatch(attribute.value);
    const byCategory = categoryId === undefined ? '' : 'AND a.category_id = ?';
    parts.push(
      `id IN (SELECT a.image_id FROM annotations a, json_each(a.extra_json) j
              WHERE a.dataset_id = ? ${byCategory} AND a.extra_json IS NOT NULL AND j.key = ? AND ${m.sql})`,
    );
    args.push(datasetId, ...(categoryId === undefined ? [] : [categoryId]), attribute.key, ...m.args);
  } else if (categoryId !== undefined) {
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
