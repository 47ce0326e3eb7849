/**
 * The class-map table's data: one row per dataset category with the model classes
 * mapped to it, edits as pure functions on a draft, and what the draft leaves out of
 * the metrics. The engine checks and stores the map (classMap.save); this only keeps
 * the editing honest: every category listed, names in the model's order, no duplicates.
 */
import type { CategoryDto, ClassMap } from '../../../shared/schemas';

export interface ClassMapRow {
  id: number;
  name: string;
  /** annotations of the category, crowd regions included */
  count: number;
  classes: string[];
  /** no model class maps to it: excluded from the metrics */
  unmapped: boolean;
  /** differs from the map in force */
  changed: boolean;
}

/** Keys "7" and "07" are one category; missing categories map to nothing. */
export function normaliseClassMap(map: ClassMap, categories: readonly Pick<CategoryDto, 'id'>[], classNames: readonly string[]): ClassMap {
  const order = new Map(classNames.map((n, i) => [n, i] as const));
  const out: ClassMap = {};
  for (const c of categories) out[String(c.id)] = [];
  for (const [key, names] of Object.entries(map)) {
    const id = /^\s*\d+\s*$/.test(key) ? String(Number(key)) : key;
    out[id] = [...new Set([...(out[id] ?? []), ...names])];
  }
  for (const key of Object.keys(out)) {
    out[key].sort((a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return out;
}

export function sameClassMap(a: ClassMap, b: ClassMap): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = [...(a[k] ?? [])].sort();
    const y = [...(b[k] ?? [])].sort();
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}

export function classMapRows(
  categories: readonly CategoryDto[],
  draft: ClassMap,
  inForce: ClassMap,
): ClassMapRow[] {
  return categories.map((c) => {
    const classes = draft[String(c.id)] ?? [];
    const before = inForce[String(c.id)] ?? [];
    return {
      id: c.id,
      name: c.name,
      count: c.count,
      classes,
      unmapped: classes.length === 0,
      changed: !sameClassMap({ k: classes }, { k: before }),
    };
  });
}

export function addClass(draft: ClassMap, categoryId: number, className: string, classNames: readonly string[]): ClassMap {
  const key = String(categoryId);
  const current = draft[key] ?? [];
  if (current.includes(className)) return draft;
  const order = new Map(classNames.map((n, i) => [n, i] as const));
  const next = [...current, className].sort((a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER));
  return { ...draft, [key]: next };
}

export function removeClass(draft: ClassMap, categoryId: number, className: string): ClassMap {
  const key = String(categoryId);
  return { ...draft, [key]: (draft[key] ?? []).filter((n) => n !== className) };
}

/** Categories the draft leaves out of the metrics and how many annotations that excludes. */
export function unmappedSummary(rows: readonly ClassMapRow[]): { names: string[]; annotations: number; withAnnotations: number } {
  const unmapped = rows.filter((r) => r.unmapped);
  return {
    names: unmapped.map((r) => r.name),
    annotations: unmapped.reduce((n, r) => n + r.count, 0),
    withAnnotations: unmapped.filter((r) => r.count > 0).length,
  };
}
