/**
 * Class maps: how a model's classes are scored against a dataset's categories. Small
 * pure functions shared by the engine (evaluations; audits, which store raw detections
 * with the model's own class index and apply the map when scoring), the CLI and the
 * renderer's editor (which shows the same refusal the engine gives).
 *
 * Semantics of a map (format 2, classMapSchema in schemas.ts), one list of EVALUATION
 * CATEGORIES, each with a name, dataset categories, model classes and ignore rules:
 *
 *   - The detections of its model classes score as the evaluation category; the GT of
 *     its dataset categories is its GT. Several dataset categories are a MERGE (KITTI
 *     Car + Van -> "vehicle"): their boxes are relabelled to the one category.
 *   - Its id is the smallest of its dataset category ids (metrics rows, results files).
 *   - Each model class scores as AT MOST ONE evaluation category, and each dataset
 *     category is scored as at most one. A class listed under two categories would be
 *     scored twice (every detection counted once under each), so a correct Car
 *     detection would also be a false-positive Van: such a map is refused
 *     (classMapProblems), with a message saying so.
 *   - IGNORE FOR: the boxes of a dataset category listed in `ignore` are ignore regions
 *     for the evaluation category (KITTI's convention: a Car detection on a Van is
 *     neither TP nor FP). groundTruthFor adds them to its GT flagged `ignore_region`;
 *     the COCO evaluator matches them exactly as crowd regions (IoU = intersection /
 *     detection area, at the same thresholds; a region absorbs any number of
 *     detections; a real GT is preferred) and never counts them as GT (npig, num_gt).
 *     A dataset category may be ignored for several evaluation categories and may be
 *     scored itself as well (a KITTI-trained model: Van is scored as Van while Van
 *     boxes are ignore regions for Car), but not ignored for its own category.
 *   - An evaluation category without model classes is not scored: its GT takes no part
 *     (its dataset categories are "unmapped", listed and left out of the mean) and its
 *     ignore rules have no effect.
 *   - Detections of a model class that no evaluation category lists are "not scored":
 *     kept for the views (an analyst sees the "bus" on a billboard), never counted.
 *
 * The first format (`{"<category id>": ["model class", ...]}`) is read by
 * fromLegacyClassMap / readClassMap (saved maps before store schema 4, the params of
 * evaluations recorded then, old --class-map files); it is never written.
 */
import { badInput, type Problem } from './errors';
import { classMapSchema, legacyClassMapSchema, type ClassMap, type ClassMapCategory, type ClassMapInput, type LegacyClassMap } from './schemas';

export interface CategoryRef {
  id: number;
  name: string;
}

/** One scored category as the scorer sees it. */
export interface EvaluationCategory {
  /** the smallest dataset category id it takes */
  id: number;
  name: string;
  /** dataset category ids scored as it, ascending */
  datasetCategories: number[];
  /** dataset category ids that are ignore regions for it, ascending */
  ignore: number[];
  /** model class names that score as it */
  modelClasses: string[];
}

/** What scoring needs from a map, without the model: which GT is whose. */
export interface ScoringLayout {
  /** scored evaluation categories (those with at least one model class), ascending id */
  categories: EvaluationCategory[];
  /** dataset category id -> the evaluation category id its boxes are GT of */
  scoredAs: ReadonlyMap<number, number>;
  /** dataset category id -> evaluation category ids its boxes are ignore regions for */
  ignoreFor: ReadonlyMap<number, readonly number[]>;
  /** dataset categories no scored evaluation category takes, in the dataset's order */
  unmapped: CategoryRef[];
}

export interface ResolvedClassMap extends ScoringLayout {
  /** model class index -> the evaluation category id its detections score as; null: not scored */
  categoryOfClass: (number | null)[];
}

const evaluationId = (c: Pick<ClassMapCategory, 'datasetCategories'>): number => Math.min(...c.datasetCategories);

const sortedUnique = (ids: readonly number[]): number[] => [...new Set(ids)].sort((a, b) => a - b);

/**
 * The map in canonical form: every dataset category in some evaluation category (a
 * missing one gets its own, unscored), ids sorted and unique, names of classes unique,
 * evaluation categories ordered by id. Dataset categories the dataset does not have are
 * kept (classMapProblems names them).
 */
export function completeClassMap(map: ClassMapInput, categories: readonly CategoryRef[]): ClassMap {
  const out: ClassMapCategory[] = map.categories.map((c) => ({
    name: c.name.trim(),
    datasetCategories: sortedUnique(c.datasetCategories),
    modelClasses: [...new Set(c.modelClasses)],
    ignore: sortedUnique(c.ignore ?? []),
  }));
  const taken = new Set(out.flatMap((c) => c.datasetCategories));
  for (const c of categories) {
    if (!taken.has(c.id)) out.push({ name: c.name, datasetCategories: [c.id], modelClasses: [], ignore: [] });
  }
  out.sort((a, b) => evaluationId(a) - evaluationId(b));
  return { version: 2, categories: out };
}

/** A first-format map as format 2: one evaluation category per dataset category, no merges, no ignore rules. */
export function fromLegacyClassMap(legacy: LegacyClassMap, categories: readonly CategoryRef[]): ClassMap {
  const byId = new Map<number, string[]>();
  for (const [key, names] of Object.entries(legacy)) {
    // "07" and "7" are the same category
    const id = Number(key.trim());
    byId.set(id, [...(byId.get(id) ?? []), ...names]);
  }
  const name = new Map(categories.map((c) => [c.id, c.name]));
  const out: ClassMapCategory[] = [...byId.entries()].map(([id, names]) => ({
    name: name.get(id) ?? `#${id}`,
    datasetCategories: [id],
    modelClasses: names,
    ignore: [],
  }));
  return completeClassMap({ version: 2, categories: out }, categories);
}

/** A stored map of either format (format 2 as it is; the first format converted). */
export function readClassMap(json: unknown, categories: readonly CategoryRef[]): ClassMap {
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && !('version' in json)) {
    const legacy = legacyClassMapSchema.safeParse(json);
    if (legacy.success) return fromLegacyClassMap(legacy.data, categories);
  }
  return classMapSchema.parse(json);
}

/** "A", "A and B", "A, B and C" */
export function listNames(names: readonly string[]): string {
  const q = names.map((n) => `"${n}"`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** The refusal of a one-to-many map: what double counting does to the numbers, and the two ways out. */
export function doubleCountingProblem(modelClass: string, categoryNames: readonly string[]): string {
  const [first, second] = categoryNames;
  const times = categoryNames.length === 2 ? 'twice' : `${categoryNames.length} times`;
  return (
    `model class "${modelClass}" is mapped to ${listNames(categoryNames)}: every ${modelClass} detection would be scored ${times}, ` +
    `once under each, so a correct detection of a ${first} also counts as a false-positive ${second} (and the other way round), ` +
    `and those categories' AP would measure class confusion, not missed objects. Map "${modelClass}" to one category, and merge ` +
    `the others into it or mark them "ignore for" it.`
  );
}

/** Everything wrong with a map for this model and dataset; empty when it can be scored. */
export function classMapProblems(map: ClassMap, classNames: readonly string[], categories: readonly CategoryRef[]): Problem[] {
  const problems: Problem[] = [];
  const catName = new Map(categories.map((c) => [c.id, c.name]));
  const known = new Set(classNames);
  const scoredIn = new Map<number, string>();
  const classIn = new Map<string, string[]>();
  const names = new Map<string, string>();
  for (const c of map.categories) {
    const key = c.name.trim().toLowerCase();
    const clash = names.get(key);
    if (key === '') problems.push({ problem: `the category of ${c.datasetCategories.map((id) => catName.get(id) ?? `#${id}`).join(' + ')} needs a name` });
    else if (clash !== undefined) problems.push({ problem: `two categories are named "${c.name}": give each its own name` });
    else names.set(key, c.name);
    for (const id of c.datasetCategories) {
      const n = catName.get(id);
      if (n === undefined) {
        problems.push({ problem: `category id ${id} is not in the dataset` });
        continue;
      }
      const other = scoredIn.get(id);
      if (other !== undefined) problems.push({ problem: `${n} is scored both as "${other}" and as "${c.name}": a dataset category can be scored as one category only` });
      else scoredIn.set(id, c.name);
    }
    for (const id of c.ignore) {
      const n = catName.get(id);
      if (n === undefined) problems.push({ problem: `category id ${id} (an ignore rule of "${c.name}") is not in the dataset` });
      else if (c.datasetCategories.includes(id)) problems.push({ problem: `"${c.name}" cannot ignore ${n}: it is scored as "${c.name}" itself` });
    }
    for (const cls of new Set(c.modelClasses)) {
      if (!known.has(cls)) {
        problems.push({ problem: `"${cls}" is not one of the model's classes` });
        continue;
      }
      classIn.set(cls, [...(classIn.get(cls) ?? []), c.name]);
    }
  }
  for (const [cls, in_] of classIn) if (in_.length > 1) problems.push({ problem: doubleCountingProblem(cls, in_) });
  return problems;
}

/**
 * The scoring layout of a map, not checked against a model: for maps that already ran
 * (an evaluation's recorded map, which may be a first-format one-to-many map).
 * Where a map lists a dataset category twice, the first evaluation category takes it.
 */
export function scoringLayout(map: ClassMap, categories: readonly CategoryRef[]): ScoringLayout {
  const scored = map.categories
    .filter((c) => c.modelClasses.length > 0)
    .map((c) => ({
      id: evaluationId(c),
      name: c.name,
      datasetCategories: sortedUnique(c.datasetCategories),
      ignore: sortedUnique(c.ignore),
      modelClasses: [...new Set(c.modelClasses)],
    }))
    .sort((a, b) => a.id - b.id);
  const scoredAs = new Map<number, number>();
  const ignoreFor = new Map<number, number[]>();
  for (const c of scored) {
    for (const id of c.datasetCategories) if (!scoredAs.has(id)) scoredAs.set(id, c.id);
  }
  for (const c of scored) {
    for (const id of c.ignore) {
      if (c.datasetCategories.includes(id)) continue;
      ignoreFor.set(id, [...(ignoreFor.get(id) ?? []), c.id]);
    }
  }
  return { categories: scored, scoredAs, ignoreFor, unmapped: categories.filter((c) => !scoredAs.has(c.id)) };
}

/**
 * Checks the map against the model's class names and the dataset's categories and
 * resolves it: the scored evaluation categories and, per model class index, the one
 * evaluation category it scores as. Throws BAD_INPUT listing every problem.
 */
export function resolveClassMap(
  map: ClassMap,
  classNames: readonly string[],
  categories: readonly CategoryRef[],
  source = 'class map',
): ResolvedClassMap {
  const problems = classMapProblems(map, classNames, categories);
  if (problems.length) throw badInput(`${source} does not fit this model and dataset`, problems);
  const layout = scoringLayout(map, categories);
  const of = new Map<string, number>();
  for (const c of layout.categories) for (const n of c.modelClasses) of.set(n, c.id);
  // a name the model lists twice scores under both of its indices
  return { ...layout, categoryOfClass: classNames.map((n) => of.get(n) ?? null) };
}

/** A COCO ground-truth annotation as the evaluator reads it. */
export interface CocoGtAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1 | boolean;
}

/**
 * The GT the COCO evaluator scores under a map: each box of a scored dataset category
 * relabelled to its evaluation category; each box of a dataset category that is
 * "ignore for" an evaluation category added once more, as an ignore region of that
 * category (`ignore_region: true`); boxes of unmapped categories left out. Input order
 * is kept (an annotation's copies are consecutive); ids are kept, so an ignore region
 * names the box it came from.
 */
export function groundTruthFor<A extends CocoGtAnnotation>(
  layout: ScoringLayout,
  annotations: readonly A[],
): { categories: CategoryRef[]; annotations: (A & { ignore_region?: boolean })[] } {
  const out: (A & { ignore_region?: boolean })[] = [];
  for (const a of annotations) {
    const as = layout.scoredAs.get(a.category_id);
    if (as !== undefined) out.push(as === a.category_id ? a : { ...a, category_id: as });
    for (const f of layout.ignoreFor.get(a.category_id) ?? []) out.push({ ...a, category_id: f, ignore_region: true });
  }
  return { categories: layout.categories.map((c) => ({ id: c.id, name: c.name })), annotations: out };
}

/**
 * Raw detections (with the model's class index) split into the ones scored, labelled
 * with their evaluation category, and the ones whose class is not scored.
 */
export function detectionsFor<D extends { classIndex: number }>(
  resolved: Pick<ResolvedClassMap, 'categoryOfClass'>,
  detections: readonly D[],
): { scored: (D & { categoryId: number })[]; notScored: D[] } {
  const scored: (D & { categoryId: number })[] = [];
  const notScored: D[] = [];
  for (const d of detections) {
    const c = resolved.categoryOfClass[d.classIndex] ?? null;
    if (c === null) notScored.push(d);
    else scored.push({ ...d, categoryId: c });
  }
  return { scored, notScored };
}
