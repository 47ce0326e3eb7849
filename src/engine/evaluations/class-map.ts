/**
 * The automatic class map and class-map files. What a map means (merges, ignore rules,
 * one evaluation category per model class) is defined in src/shared/class-map.ts.
 *
 * Automatic suggestion, in two steps:
 *
 *   1. Each dataset category takes the first model class that matches, trying in turn
 *      the category's own name, its `cocoEquivalent`, then the synonyms of each
 *      (SYNONYMS: BDD's pedestrian, VOC's motorbike, ...). Names are compared
 *      case-insensitively with '_' and '-' read as spaces. The own name comes first so a
 *      model trained on the dataset's classes (a KITTI model with Car and Van) keeps
 *      them apart; the cocoEquivalent next so a COCO model finds car for Van.
 *   2. A model class taken by several categories would be scored under each of them
 *      (double counting), so it is never mapped one-to-many. The categories are ranked
 *      by how closely their own name names the class: 0 the name itself, 1 a synonym of
 *      the name, 2 the cocoEquivalent, 3 a synonym of the cocoEquivalent. The best one
 *      is scored with the class; the others are IGNORE FOR it (not scored themselves;
 *      their boxes are ignore regions of the scored one). Several equally best ones
 *      are MERGED into one category named after the class. Each decision is a note.
 *
 *   For KITTI and a COCO model this gives car -> Car with Van ignored, and person ->
 *   Pedestrian with Person_sitting and Cyclist ignored: KITTI's own benchmark rule for
 *   Van and Person_sitting (neither TP nor FP, and not missed either). Ignoring rather
 *   than merging is the default because it does not score the model on a distinction
 *   it was never trained to make, in either direction: a Van counted as a missed
 *   "vehicle" would blame a COCO detector for KITTI's labelling, and a COCO person box
 *   on a Cyclist covers the rider, not KITTI's rider + bicycle box, so it can be
 *   neither a fair TP nor a fair FP. The notes say what is then left unscored (missed
 *   Vans count nowhere) and that a merge, one action in the editor, scores it.
 *
 * Class-map files (--class-map): format 2 (`{"version": 2, "categories": [...]}`, with
 * dataset categories given by id or name) or the first format (`{"<category id or
 * name>": "model class" | ["model class", ...]}`), which is read when it maps no model
 * class to two categories.
 */
import { completeClassMap, fromLegacyClassMap, listNames } from '../../shared/class-map';
import type { ClassMap, ClassMapCategory } from '../../shared/schemas';
import { badInput, type Problem } from '../../shared/errors';

export interface CategoryRef {
  id: number;
  name: string;
  cocoEquivalent: string | null;
}

export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
}

/**
 * Groups of names for the same class across datasets and model zoos (COCO, VOC, BDD100K,
 * VisDrone, ...), compared after normaliseName.
 */
export const SYNONYMS: readonly (readonly string[])[] = [
  ['person', 'pedestrian', 'people'],
  ['bicycle', 'bike'],
  ['motorcycle', 'motorbike', 'motor'],
  ['car', 'automobile'],
  ['traffic light', 'trafficlight'],
  ['airplane', 'aeroplane'],
  ['dining table', 'diningtable'],
  ['couch', 'sofa'],
  ['tv', 'tvmonitor', 'tv monitor'],
  ['potted plant', 'pottedplant'],
];

const SYNONYMS_OF = new Map<string, readonly string[]>();
for (const group of SYNONYMS) {
  for (const n of group) SYNONYMS_OF.set(normaliseName(n), group.map(normaliseName).filter((m) => m !== normaliseName(n)));
}

/** The other names of a class (normalised); empty when it has none. */
export function synonymsOf(name: string): readonly string[] {
  return SYNONYMS_OF.get(normaliseName(name)) ?? [];
}

export interface ClassMapSuggestion {
  classMap: ClassMap;
  /** what step 2 decided, one sentence per model class that several categories wanted */
  notes: string[];
}

/** How closely a category's own name names a model class: 0 best. */
function matchRank(c: CategoryRef, modelClass: string): 0 | 1 | 2 | 3 {
  const n = normaliseName(modelClass);
  if (normaliseName(c.name) === n) return 0;
  if (synonymsOf(c.name).includes(n)) return 1;
  if (c.cocoEquivalent !== null && normaliseName(c.cocoEquivalent) === n) return 2;
  return 3;
}

const RANK_REASON = ['its own name', 'its name is a synonym of the class', 'its COCO equivalent', 'a synonym of its COCO equivalent'] as const;

export function suggestClassMap(classNames: readonly string[], categories: readonly CategoryRef[]): ClassMapSuggestion {
  const byName = new Map<string, string>();
  for (const n of classNames) {
    const key = normaliseName(n);
    if (!byName.has(key)) byName.set(key, n);
  }
  // step 1: each category's model class
  const takers = new Map<string, CategoryRef[]>();
  for (const c of categories) {
    const own = [c.name, ...(c.cocoEquivalent ? [c.cocoEquivalent] : [])].map(normaliseName);
    const tries = [...own, ...own.flatMap(synonymsOf)];
    const hit = tries.map((t) => byName.get(t)).find((n) => n !== undefined);
    if (hit !== undefined) takers.set(hit, [...(takers.get(hit) ?? []), c]);
  }
  // step 2: one evaluation category per model class
  const out: ClassMapCategory[] = [];
  const notes: string[] = [];
  const usedNames = new Set(categories.map((c) => normaliseName(c.name)));
  for (const [cls, cats] of takers) {
    if (cats.length === 1) {
      out.push({ name: cats[0].name, datasetCategories: [cats[0].id], modelClasses: [cls], ignore: [] });
      continue;
    }
    const ranked = cats.map((c) => ({ c, rank: matchRank(c, cls) }));
    const best = Math.min(...ranked.map((r) => r.rank));
    const top = ranked.filter((r) => r.rank === best).map((r) => r.c);
    const rest = ranked.filter((r) => r.rank !== best).map((r) => r.c);
    const merged = top.length > 1;
    const name = !merged ? top[0].name : usedNames.has(normaliseName(cls)) && !top.some((c) => normaliseName(c.name) === normaliseName(cls)) ? `${cls} (merged)` : cls;
    out.push({ name, datasetCategories: top.map((c) => c.id), modelClasses: [cls], ignore: rest.map((c) => c.id) });
    const allNames = listNames(cats.map((c) => c.name));
    const restNames = listNames(rest.map((c) => c.name));
    const restSentence =
      rest.length === 0
        ? ''
        : ` ${restNames} ${rest.length === 1 ? 'is an ignore region' : 'are ignore regions'} for "${name}": a ${cls} detection on ${rest.length === 1 ? 'it' : 'one of them'} ` +
          `is neither TP nor FP (KITTI's convention for Van and Person_sitting), and a missed one counts nowhere. ` +
          (rest.length === 1 ? `Merge it into "${name}" to count a missed ${rest[0].name} as a miss.` : `Merge them into "${name}" to count missed ones as misses.`);
    const times = (n: number): string => (n === 2 ? 'twice' : `${n} times`);
    notes.push(
      merged
        ? `"${cls}" matches ${listNames(top.map((c) => c.name))} equally well (${RANK_REASON[best]}): they are merged into one category "${name}", ` +
            `so a ${cls} detection on any of them is a TP and a missed one a miss; "${cls}" is not mapped to each, which would count every detection ${times(top.length)}.` +
            restSentence
        : `"${cls}" matches ${allNames}: it is scored as "${name}" only (${RANK_REASON[best]}), not as each of them, which would count every ${cls} detection ${times(cats.length)}.` +
            restSentence,
    );
  }
  return { classMap: completeClassMap({ version: 2, categories: out }, categories), notes };
}

type Ref = number | string;

/**
 * Reads a user's class-map file (either format; see the header) into format 2, with
 * dataset category names resolved to ids so the stored map is unambiguous. Whether the
 * model has the classes, and that no class is mapped twice, is checked by
 * resolveClassMap against the model.
 */
export function parseClassMapFile(json: unknown, categories: readonly CategoryRef[], file: string): ClassMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badInput(`${file} must be a JSON object: {"version": 2, "categories": [...]} or {"<dataset category>": "model class"}`, [], file);
  }
  const problems: Problem[] = [];
  const category = (ref: unknown, where: string): CategoryRef | null => {
    const found =
      typeof ref === 'number'
        ? categories.find((c) => c.id === ref)
        : typeof ref === 'string'
          ? ((/^\d+$/.test(ref.trim()) ? categories.find((c) => c.id === Number(ref)) : undefined) ??
            categories.find((c) => normaliseName(c.name) === normaliseName(ref)))
          : undefined;
    if (!found) problems.push({ file, problem: `${where}: ${JSON.stringify(ref)} is neither a category id nor a category name of the dataset` });
    return found ?? null;
  };
  const names = (value: unknown, where: string): string[] | null => {
    const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
    if (!list) problems.push({ file, problem: `${where} must be a model class name or a list of them` });
    return list;
  };

  const record = json as Record<string, unknown>;
  if ('version' in record || 'categories' in record) {
    if (record.version !== 2) problems.push({ file, problem: `"version" must be 2 (got ${JSON.stringify(record.version)})` });
    const list = Array.isArray(record.categories) ? (record.categories as unknown[]) : null;
    if (!list) problems.push({ file, problem: '"categories" must be a list of {name, datasetCategories, modelClasses, ignore}' });
    const out: ClassMapCategory[] = [];
    (list ?? []).forEach((entry, i) => {
      const where = `categories[${i}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        problems.push({ file, problem: `${where} must be an object` });
        return;
      }
      const e = entry as Record<string, unknown>;
      for (const key of Object.keys(e)) {
        if (!['name', 'datasetCategories', 'modelClasses', 'ignore'].includes(key)) problems.push({ file, problem: `${where}: unknown field "${key}"` });
      }
      const refs = Array.isArray(e.datasetCategories) ? (e.datasetCategories as Ref[]) : null;
      if (!refs || refs.length === 0) {
        problems.push({ file, problem: `${where}.datasetCategories must list at least one dataset category (id or name)` });
        return;
      }
      const scored = refs.map((r) => category(r, `${where}.datasetCategories`)).filter((c): c is CategoryRef => c !== null);
      const ignoreRefs = e.ignore === undefined ? [] : Array.isArray(e.ignore) ? (e.ignore as Ref[]) : null;
      if (!ignoreRefs) problems.push({ file, problem: `${where}.ignore must be a list of dataset categories (ids or names)` });
      const ignored = (ignoreRefs ?? []).map((r) => category(r, `${where}.ignore`)).filter((c): c is CategoryRef => c !== null);
      const classes = e.modelClasses === undefined ? [] : names(e.modelClasses, `${where}.modelClasses`);
      if (e.name !== undefined && (typeof e.name !== 'string' || e.name.trim() === '')) problems.push({ file, problem: `${where}.name must be a non-empty string` });
      const name = typeof e.name === 'string' && e.name.trim() ? e.name.trim() : scored.map((c) => c.name).join(' + ');
      out.push({ name, datasetCategories: scored.map((c) => c.id), modelClasses: classes ?? [], ignore: ignored.map((c) => c.id) });
    });
    if (problems.length) throw badInput(`${file} is not a valid class map`, problems, file);
    return completeClassMap({ version: 2, categories: out }, categories);
  }

  const legacy: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(record)) {
    const cat = category(key, 'key');
    const list = names(value, `"${key}"`);
    if (cat && list) legacy[String(cat.id)] = [...(legacy[String(cat.id)] ?? []), ...list];
  }
  if (problems.length) throw badInput(`${file} is not a valid class map`, problems, file);
  return fromLegacyClassMap(legacy, categories);
}
