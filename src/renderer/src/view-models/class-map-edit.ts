/**
 * The class-map editor's data: one row per evaluation category (a dataset category, or
 * several merged under one name) with the model classes scored as it and the dataset
 * categories that are ignore regions for it; edits as pure functions on a draft; what
 * the draft leaves out of the metrics; and why the engine would refuse it (the same
 * check, src/shared/class-map.ts, so the editor shows the engine's words before a save).
 * Rows and edits are keyed by the evaluation category's id (its smallest dataset
 * category id). The engine checks and stores the map (classMap.save).
 */
import { classMapProblems, completeClassMap } from '../../../shared/class-map';
import type { CategoryDto, ClassMap, ClassMapCategory, ClassMapInput } from '../../../shared/schemas';

export interface ClassMapRow {
  /** the evaluation category's id: its smallest dataset category id */
  id: number;
  name: string;
  /** several dataset categories scored as one */
  merged: boolean;
  members: { id: number; name: string; count: number }[];
  /** annotations of its dataset categories, crowd regions included */
  count: number;
  classes: string[];
  /** dataset categories whose boxes are ignore regions for it */
  ignore: { id: number; name: string }[];
  /** scored categories its dataset categories are ignore regions for */
  ignoredFor: string[];
  /** no model class scores as it: excluded from the metrics */
  unmapped: boolean;
  /** differs from the map in force */
  changed: boolean;
}

type Categories = readonly Pick<CategoryDto, 'id' | 'name'>[];

const idOf = (c: Pick<ClassMapCategory, 'datasetCategories'>): number => Math.min(...c.datasetCategories);

function byModelOrder(names: readonly string[], classNames: readonly string[]): string[] {
  const order = new Map(classNames.map((n, i) => [n, i] as const));
  const rank = (n: string): number => order.get(n) ?? Number.MAX_SAFE_INTEGER;
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Every dataset category in some row, ids sorted, classes in the model's order without duplicates. */
export function normaliseClassMap(map: ClassMapInput, categories: Categories, classNames: readonly string[]): ClassMap {
  const complete = completeClassMap(map, categories);
  return { version: 2, categories: complete.categories.map((c) => ({ ...c, modelClasses: byModelOrder(c.modelClasses, classNames) })) };
}

/** One comparable string per evaluation category, keyed by its dataset categories. */
function signature(map: ClassMap): Map<string, string> {
  return new Map(
    map.categories.map((c) => [
      [...c.datasetCategories].sort((a, b) => a - b).join('+'),
      JSON.stringify([c.name.trim(), [...c.modelClasses].sort(), [...c.ignore].sort((a, b) => a - b)]),
    ]),
  );
}

/** Same evaluation categories (by their dataset categories), names, classes (as sets) and ignore rules. */
export function sameClassMap(a: ClassMap, b: ClassMap): boolean {
  const x = signature(a);
  const y = signature(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
}

export function classMapRows(categories: readonly CategoryDto[], draft: ClassMap, inForce: ClassMap): ClassMapRow[] {
  const cat = new Map(categories.map((c) => [c.id, c]));
  const before = signature(inForce);
  const now = signature(draft);
  const name = (id: number): string => cat.get(id)?.name ?? `#${id}`;
  const scoredName = new Map<number, string[]>();
  for (const c of draft.categories) {
    if (c.modelClasses.length === 0) continue;
    for (const id of c.ignore) scoredName.set(id, [...(scoredName.get(id) ?? []), c.name]);
  }
  return draft.categories.map((c) => {
    const key = [...c.datasetCategories].sort((a, b) => a - b).join('+');
    const members = c.datasetCategories.map((id) => ({ id, name: name(id), count: cat.get(id)?.count ?? 0 }));
    return {
      id: idOf(c),
      name: c.name,
      merged: c.datasetCategories.length > 1,
      members,
      count: members.reduce((n, m) => n + m.count, 0),
      classes: c.modelClasses,
      ignore: c.ignore.map((id) => ({ id, name: name(id) })),
      ignoredFor: [...new Set(c.datasetCategories.flatMap((id) => scoredName.get(id) ?? []))],
      unmapped: c.modelClasses.length === 0,
      changed: before.get(key) !== now.get(key),
    };
  });
}

function editRow(draft: ClassMap, rowId: number, edit: (c: ClassMapCategory) => ClassMapCategory): ClassMap {
  return { version: 2, categories: draft.categories.map((c) => (idOf(c) === rowId ? edit(c) : c)) };
}

export function addClass(draft: ClassMap, rowId: number, className: string, classNames: readonly string[]): ClassMap {
  const row = draft.categories.find((c) => idOf(c) === rowId);
  if (!row || row.modelClasses.includes(className)) return draft;
  return editRow(draft, rowId, (c) => ({ ...c, modelClasses: byModelOrder([...c.modelClasses, className], classNames) }));
}

export function removeClass(draft: ClassMap, rowId: number, className: string): ClassMap {
  return editRow(draft, rowId, (c) => ({ ...c, modelClasses: c.modelClasses.filter((n) => n !== className) }));
}

/**
 * Merges row `sourceId` into row `targetId`: one evaluation category with the dataset
 * categories, model classes and ignore rules of both (a rule for one of its own
 * categories dropped). A row that was not yet a merge is renamed "A + B" until the
 * analyst names it.
 */
export function mergeRows(draft: ClassMap, targetId: number, sourceId: number, classNames: readonly string[]): ClassMap {
  const target = draft.categories.find((c) => idOf(c) === targetId);
  const source = draft.categories.find((c) => idOf(c) === sourceId);
  if (!target || !source || target === source) return draft;
  const members = [...target.datasetCategories, ...source.datasetCategories].sort((a, b) => a - b);
  const merged: ClassMapCategory = {
    name: target.datasetCategories.length > 1 ? target.name : `${target.name} + ${source.name}`,
    datasetCategories: members,
    modelClasses: byModelOrder([...new Set([...target.modelClasses, ...source.modelClasses])], classNames),
    ignore: [...new Set([...target.ignore, ...source.ignore])].filter((id) => !members.includes(id)).sort((a, b) => a - b),
  };
  const rest = draft.categories.filter((c) => c !== target && c !== source);
  return { version: 2, categories: [...rest, merged].sort((a, b) => idOf(a) - idOf(b)) };
}

/** Takes one dataset category out of a merge, as a row of its own, not scored; a merge left with one category takes its name back. */
export function splitRow(draft: ClassMap, rowId: number, datasetCategoryId: number, categories: Categories): ClassMap {
  const row = draft.categories.find((c) => idOf(c) === rowId);
  if (!row || row.datasetCategories.length < 2 || !row.datasetCategories.includes(datasetCategoryId)) return draft;
  const name = (id: number): string => categories.find((c) => c.id === id)?.name ?? `#${id}`;
  const left = row.datasetCategories.filter((id) => id !== datasetCategoryId);
  const kept: ClassMapCategory = { ...row, datasetCategories: left, name: left.length === 1 ? name(left[0]) : row.name };
  const alone: ClassMapCategory = { name: name(datasetCategoryId), datasetCategories: [datasetCategoryId], modelClasses: [], ignore: [] };
  const rest = draft.categories.filter((c) => c !== row);
  return { version: 2, categories: [...rest, kept, alone].sort((a, b) => idOf(a) - idOf(b)) };
}

export function renameRow(draft: ClassMap, rowId: number, name: string): ClassMap {
  return editRow(draft, rowId, (c) => ({ ...c, name }));
}

export function addIgnore(draft: ClassMap, rowId: number, datasetCategoryId: number): ClassMap {
  return editRow(draft, rowId, (c) =>
    c.ignore.includes(datasetCategoryId) || c.datasetCategories.includes(datasetCategoryId)
      ? c
      : { ...c, ignore: [...c.ignore, datasetCategoryId].sort((a, b) => a - b) },
  );
}

export function removeIgnore(draft: ClassMap, rowId: number, datasetCategoryId: number): ClassMap {
  return editRow(draft, rowId, (c) => ({ ...c, ignore: c.ignore.filter((id) => id !== datasetCategoryId) }));
}

/** Why the engine would refuse the draft (a class mapped twice, an unnamed merge, ...); empty when it can be saved. */
export function draftProblems(draft: ClassMap, classNames: readonly string[], categories: Categories): string[] {
  return classMapProblems(draft, classNames, categories).map((p) => p.problem);
}

/** Categories the draft leaves out of the metrics (in no scored row) and how many annotations that excludes. */
export function unmappedSummary(rows: readonly ClassMapRow[]): { names: string[]; annotations: number; withAnnotations: number } {
  const members = rows.filter((r) => r.unmapped).flatMap((r) => r.members);
  return {
    names: members.map((m) => m.name),
    annotations: members.reduce((n, m) => n + m.count, 0),
    withAnnotations: members.filter((m) => m.count > 0).length,
  };
}
