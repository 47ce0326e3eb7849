/**
 * The ONE seam where a class map meets scoring. Audits store raw detections (the
 * model's own class index); everything that scores or shows them (cells, clean
 * evaluations, the image view, `--dt-out`) turns them into evaluation categories here,
 * with the class-map functions of src/shared/class-map.ts (format 2: each model class
 * scores as at most one evaluation category; merges relabel GT; "ignore for" boxes are
 * ignore regions, matched like crowd regions by the COCO evaluator).
 *
 *   scoringMap(map, classNames, categories)   a map as it is scored, WITHOUT refusing it:
 *                                             for maps that already ran (recorded with an
 *                                             audit). A map is checked once, when an audit
 *                                             starts or is re-scored (checkedScoringMap).
 *   checkedScoringMap(...)                    the same after resolveClassMap's check
 *                                             (BAD_INPUT listing every problem, e.g. a
 *                                             model class mapped twice)
 *
 * For a map that lists one model class under several evaluation categories (only an
 * evaluation recorded before class-map format 2 can have one), the first category in id
 * order takes the class.
 */
import { groundTruthFor, resolveClassMap, scoringLayout, type CategoryRef, type EvaluationCategory } from '../../shared/class-map';
import type { ClassMap } from '../../shared/schemas';
import type { CocoDetection, GtAnnotation } from '../cocoeval/cocoeval';
import type { RawDetection } from './packing';

export interface ScoringMap {
  /** scored evaluation categories, ascending id (merges and ignore rules included) */
  readonly categories: readonly EvaluationCategory[];
  /** dataset categories left out of the evaluation */
  readonly unmapped: readonly CategoryRef[];
  /** model class index -> the evaluation category id it scores as; null: not scored */
  categoryOf(classIndex: number): number | null;
  /** one image's raw detections as the COCO detections scored (unscored classes left out) */
  detections(imageId: number, raw: readonly RawDetection[]): CocoDetection[];
  /** one image's ground truth as the evaluator scores it (relabelled merges, ignore regions) */
  groundTruth(annotations: readonly GtAnnotation[]): GtAnnotation[];
}

export function scoringMap(classMap: ClassMap, classNames: readonly string[], categories: readonly CategoryRef[]): ScoringMap {
  const layout = scoringLayout(classMap, categories);
  const byName = new Map<string, number>();
  for (const c of layout.categories) for (const n of c.modelClasses) if (!byName.has(n)) byName.set(n, c.id);
  const categoryOfClass = classNames.map((n) => byName.get(n) ?? null);
  const categoryOf = (classIndex: number): number | null => categoryOfClass[classIndex] ?? null;
  return {
    categories: layout.categories,
    unmapped: layout.unmapped,
    categoryOf,
    detections(imageId, raw) {
      const out: CocoDetection[] = [];
      for (const d of raw) {
        const categoryId = categoryOf(d.classIndex);
        if (categoryId !== null) out.push({ image_id: imageId, category_id: categoryId, bbox: [d.bbox[0], d.bbox[1], d.bbox[2], d.bbox[3]], score: d.score });
      }
      return out;
    },
    groundTruth(annotations) {
      return groundTruthFor(layout, annotations).annotations;
    },
  };
}

/** scoringMap after the map is checked against the model and the dataset (throws BAD_INPUT naming every problem). */
export function checkedScoringMap(
  classMap: ClassMap,
  classNames: readonly string[],
  categories: readonly CategoryRef[],
  source?: string,
): ScoringMap {
  resolveClassMap(classMap, classNames, categories, source);
  return scoringMap(classMap, classNames, categories);
}
