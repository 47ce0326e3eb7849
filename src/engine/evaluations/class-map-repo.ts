/**
 * Class maps saved per (model, dataset), and the map in force for a pair: the saved
 * one if there is one, else the automatic suggestion (class-map.ts). A map is checked
 * against the model's classes and the dataset's categories before it is saved, so a
 * saved map always fit when it was saved; if the model's class names change later
 * (a new adapter), or a map saved before schema 4 maps one class to several
 * categories (double counting, now refused), it is reported instead of being used.
 */
import { completeClassMap, readClassMap, resolveClassMap, scoringLayout } from '../../shared/class-map';
import type { ClassMap, ClassMapState } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import type { Db } from '../store/database';
import { suggestClassMap, type CategoryRef } from './class-map';

export class ClassMapRepo {
  constructor(private readonly db: Db) {}

  /** The saved map (a first-format one, from a store older than schema 4, converted). */
  get(modelId: number, datasetId: number, categories: readonly CategoryRef[]): ClassMap | null {
    const row = this.db.prepare('SELECT map_json FROM class_maps WHERE model_id = ? AND dataset_id = ?').get(modelId, datasetId) as
      | { map_json: string }
      | undefined;
    return row ? readClassMap(JSON.parse(row.map_json), categories) : null;
  }

  /** Inserts or replaces; the caller has checked the map (saveClassMap). */
  put(modelId: number, datasetId: number, classMap: ClassMap): void {
    this.db
      .prepare(
        `INSERT INTO class_maps (model_id, dataset_id, map_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (model_id, dataset_id) DO UPDATE SET map_json = excluded.map_json, updated_at = excluded.updated_at`,
      )
      .run(modelId, datasetId, JSON.stringify(classMap), new Date().toISOString());
  }

  delete(modelId: number, datasetId: number): boolean {
    return this.db.prepare('DELETE FROM class_maps WHERE model_id = ? AND dataset_id = ?').run(modelId, datasetId).changes > 0;
  }
}

/** What the class-map functions need to know about the pair. */
export interface ClassMapPair {
  modelId: number;
  datasetId: number;
  classNames: readonly string[];
  /** with the number of annotations of each (crowd regions included) */
  categories: readonly (CategoryRef & { count?: number })[];
}

/**
 * The map evaluations use when the caller gives none: the saved one (it must still fit
 * and count no class twice; else BAD_INPUT), else the suggestion with its notes.
 */
export function classMapInForce(repo: ClassMapRepo, pair: ClassMapPair): { classMap: ClassMap; source: 'saved' | 'suggested'; notes: string[] } {
  const saved = repo.get(pair.modelId, pair.datasetId, pair.categories);
  if (!saved) return { ...suggestClassMap(pair.classNames, pair.categories), source: 'suggested' };
  resolveClassMap(saved, pair.classNames, pair.categories, `the class map saved for model ${pair.modelId} and dataset ${pair.datasetId}`);
  return { classMap: saved, source: 'saved', notes: [] };
}

/** The state shown to the analyst; a saved map that cannot be used is named in `note`, not used. */
export function classMapState(repo: ClassMapRepo, pair: ClassMapPair): ClassMapState {
  try {
    const { classMap, source, notes } = classMapInForce(repo, pair);
    return describe(classMap, source, pair, notes);
  } catch (err) {
    if (!(err instanceof OdraError) || err.code !== 'BAD_INPUT') throw err;
    const suggestion = suggestClassMap(pair.classNames, pair.categories);
    const why = (err.details?.problems ?? []).map((p) => p.problem).join('; ');
    return {
      ...describe(suggestion.classMap, 'suggested', pair, suggestion.notes),
      note: `the saved class map cannot be used (${why}); showing the automatic suggestion. Evaluations refuse to run until a map is saved again.`,
    };
  }
}

/** Completes the map (every category listed), checks it against the model and the dataset, and saves it. */
export function saveClassMap(repo: ClassMapRepo, pair: ClassMapPair, classMap: ClassMap): ClassMapState {
  const complete = completeClassMap(classMap, pair.categories);
  resolveClassMap(complete, pair.classNames, pair.categories, `the class map for model ${pair.modelId} and dataset ${pair.datasetId}`);
  repo.put(pair.modelId, pair.datasetId, complete);
  return describe(complete, 'saved', pair, []);
}

function describe(classMap: ClassMap, source: 'saved' | 'suggested', pair: ClassMapPair, notes: string[]): ClassMapState {
  const { unmapped } = scoringLayout(classMap, pair.categories);
  const counts = new Map(pair.categories.map((c) => [c.id, c.count ?? 0]));
  return {
    classMap,
    source,
    unmapped: unmapped.map((c) => c.name),
    unmappedAnnotations: unmapped.reduce((n, c) => n + (counts.get(c.id) ?? 0), 0),
    notes,
  };
}
