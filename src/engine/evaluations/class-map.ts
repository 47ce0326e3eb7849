/**
 * Which model classes count as which dataset category.
 *
 * Automatic rule: a dataset category takes the first model class that matches, trying
 * in turn the category's own name, its `cocoEquivalent`, then the synonyms of each
 * (SYNONYMS: BDD's pedestrian, VOC's motorbike, ...). Names are compared
 * case-insensitively with '_' and '-' read as spaces. The own name comes first so a
 * model trained on the dataset's classes (a KITTI model with Car and Van) keeps them
 * apart; the cocoEquivalent next so a COCO model gets Van -> car. One model class may
 * feed several categories (KITTI Car and Van both take `car`); a category nothing
 * maps to is "unmapped": excluded from the metrics and listed, so the gap is visible.
 */
import type { ClassMap } from '../../shared/schemas';
import { badInput } from '../../shared/errors';

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

export function suggestClassMap(classNames: readonly string[], categories: readonly CategoryRef[]): ClassMap {
  const byName = new Map<string, string>();
  for (const n of classNames) {
    const key = normaliseName(n);
    if (!byName.has(key)) byName.set(key, n);
  }
  const map: ClassMap = {};
  for (const c of categories) {
    const own = [c.name, ...(c.cocoEquivalent ? [c.cocoEquivalent] : [])].map(normaliseName);
    const tries = [...own, ...own.flatMap(synonymsOf)];
    const hit = tries.map((t) => byName.get(t)).find((n) => n !== undefined);
    map[String(c.id)] = hit ? [hit] : [];
  }
  return map;
}

/** classIndex -> dataset category ids, checked against the model's and the dataset's names. */
export function resolveClassMap(
  classMap: ClassMap,
  classNames: readonly string[],
  categories: readonly CategoryRef[],
  source = 'class map',
): { byClass: Map<number, number[]>; mapped: number[]; unmapped: CategoryRef[] } {
  const index = new Map<string, number>();
  classNames.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i);
  });
  const categoryIds = new Set(categories.map((c) => c.id));
  const problems: { problem: string }[] = [];
  const byClass = new Map<number, number[]>();
  const mapped: number[] = [];
  for (const [key, names] of Object.entries(classMap)) {
    const catId = Number(key);
    if (!categoryIds.has(catId)) {
      problems.push({ problem: `category id ${key} is not in the dataset` });
      continue;
    }
    for (const n of names) {
      const ci = index.get(n);
      if (ci === undefined) {
        problems.push({ problem: `"${n}" is not one of the model's classes` });
        continue;
      }
      const list = byClass.get(ci) ?? [];
      list.push(catId);
      byClass.set(ci, list);
    }
    if (names.length) mapped.push(catId);
  }
  if (problems.length) throw badInput(`${source} does not fit this model and dataset`, problems);
  const unmapped = categories.filter((c) => !mapped.includes(c.id));
  return { byClass, mapped: mapped.sort((a, b) => a - b), unmapped };
}

/**
 * Reads a user's class-map file: `{ "<dataset category id or name>": "model class" | ["model class", ...] }`.
 * Names are resolved to ids here so the stored map is unambiguous.
 */
export function parseClassMapFile(json: unknown, categories: readonly CategoryRef[], file: string): ClassMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badInput(`${file} must be a JSON object mapping dataset categories to model class names`, [], file);
  }
  const out: ClassMap = {};
  for (const c of categories) out[String(c.id)] = [];
  const problems: { file: string; problem: string }[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const cat = categories.find((c) => String(c.id) === key) ?? categories.find((c) => normaliseName(c.name) === normaliseName(key));
    if (!cat) {
      problems.push({ file, problem: `"${key}" is neither a category id nor a category name of the dataset` });
      continue;
    }
    const names = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
    if (!names) {
      problems.push({ file, problem: `"${key}" must map to a class name or a list of class names` });
      continue;
    }
    out[String(cat.id)] = names;
  }
  if (problems.length) throw badInput(`${file} is not a valid class map`, problems, file);
  return out;
}
