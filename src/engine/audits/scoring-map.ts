/**
 * The ONE seam where a class map meets scoring. Audits store raw detections (the
 * model's own class index); everything that scores them (cells, clean evaluations, the
 * image view, `--dt-out`) turns them into evaluation categories here, so a different
 * class-map semantics changes one file.
 *
 * Semantics today (evaluations/class-map.ts, resolveClassMap): each dataset category
 * lists the model classes that count as it; a detection of class c is scored once under
 * every category that lists c, in the map's order; categories no class maps to are
 * "unmapped" and left out of the evaluation (their GT is not scored). The evaluation's
 * categories are the mapped ones, ascending id.
 */
import type { ClassMap } from '../../shared/schemas';
import type { CocoDetection, GtAnnotation } from '../cocoeval/cocoeval';
import { resolveClassMap, type CategoryRef } from '../evaluations/class-map';
import type { RawDetection } from './packing';

export interface ScoringMap {
  /** evaluation categories, ascending id */
  readonly categories: readonly { id: number; name: string }[];
  /** dataset categories left out of the evaluation */
  readonly unmapped: readonly CategoryRef[];
  /** one image's raw detections as the COCO detections scored */
  detections(imageId: number, raw: readonly RawDetection[]): CocoDetection[];
  /** one image's ground truth as the evaluator scores it */
  groundTruth(annotations: readonly GtAnnotation[]): GtAnnotation[];
}

export function scoringMap(classMap: ClassMap, classNames: readonly string[], categories: readonly CategoryRef[]): ScoringMap {
  const { byClass, mapped, unmapped } = resolveClassMap(classMap, classNames, categories);
  const scored = new Set(mapped);
  const names = new Map(categories.map((c) => [c.id, c.name]));
  return {
    categories: mapped.map((id) => ({ id, name: names.get(id) ?? String(id) })),
    unmapped,
    detections(imageId, raw) {
      const out: CocoDetection[] = [];
      for (const d of raw) {
        for (const categoryId of byClass.get(d.classIndex) ?? []) {
          out.push({ image_id: imageId, category_id: categoryId, bbox: [d.bbox[0], d.bbox[1], d.bbox[2], d.bbox[3]], score: d.score });
        }
      }
      return out;
    },
    groundTruth(annotations) {
      return annotations.filter((a) => scored.has(a.category_id));
    },
  };
}
