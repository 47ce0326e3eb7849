import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CocoDetection, CocoGroundTruth, CocoStats, PerCategoryResult } from '../../../src/engine/cocoeval/cocoeval';

/** ../shared/fixtures/cocoeval relative to the repo root (vitest runs from it). */
export function cocoevalFixturesDir(): string {
  const dir = path.resolve(process.cwd(), '../shared/fixtures/cocoeval');
  if (!existsSync(dir)) {
    throw new Error(`COCO eval fixtures not found at ${dir}: these tests need the shared fixtures checked out next to the repo (../shared)`);
  }
  return dir;
}

export interface Expected {
  stats: CocoStats;
  stats_array: number[];
  per_category: PerCategoryResult[];
  counts: { images: number; gt: number; dets: number; categories: number };
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Case folders with gt.json, dt.json and expected.json, sorted by name. */
export function listCases(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .filter((name) => ['gt.json', 'dt.json', 'expected.json'].every((f) => existsSync(path.join(dir, name, f))))
    .sort();
}

export function loadCase(dir: string): { gt: CocoGroundTruth; dets: CocoDetection[]; expected: Expected } {
  return {
    gt: readJson<CocoGroundTruth>(path.join(dir, 'gt.json')),
    dets: readJson<CocoDetection[]>(path.join(dir, 'dt.json')),
    expected: readJson<Expected>(path.join(dir, 'expected.json')),
  };
}

/** Largest |a - b| over the 12 stats and the per-category AP / AP50; throws on any structural mismatch. */
export function compareWithExpected(
  result: { stats: CocoStats; statsArray: number[]; per_category: PerCategoryResult[] },
  expected: Expected,
): number {
  let maxDiff = 0;
  const diff = (a: number, b: number, what: string): void => {
    if (!Number.isFinite(a)) throw new Error(`${what}: got ${a}`);
    maxDiff = Math.max(maxDiff, Math.abs(a - b));
  };
  if (result.statsArray.length !== expected.stats_array.length) throw new Error('stats length differs');
  result.statsArray.forEach((v, i) => diff(v, expected.stats_array[i], `stats_array[${i}]`));
  for (const key of Object.keys(expected.stats) as (keyof CocoStats)[]) diff(result.stats[key], expected.stats[key], `stats.${key}`);
  if (result.per_category.length !== expected.per_category.length) {
    throw new Error(`per_category: ${result.per_category.length} categories, expected ${expected.per_category.length}`);
  }
  result.per_category.forEach((got, i) => {
    const exp = expected.per_category[i];
    if (got.id !== exp.id || got.name !== exp.name || got.num_gt !== exp.num_gt || got.num_dets !== exp.num_dets) {
      throw new Error(`per_category[${i}]: got ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
    }
    for (const key of ['AP', 'AP50'] as const) {
      const a = got[key];
      const b = exp[key];
      if (a === null || b === null) {
        if (a !== b) throw new Error(`per_category ${exp.id} ${key}: got ${a}, expected ${b}`);
      } else {
        diff(a, b, `per_category ${exp.id} ${key}`);
      }
    }
  });
  return maxDiff;
}
