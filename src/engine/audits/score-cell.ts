/**
 * Scoring one cell (model x condition) of an audit from its stored units: the one
 * scoring path of Odra (a clean evaluation is a one-cell audit).
 *
 *   setup = createEvalSetup(audit images, the scoring map's categories)   (pycocotools Params)
 *   for each image, in any order: evaluateImage(setup, id, GT of the image, its detections)
 *   accumulate(all ImageEvals) -> summarize + perCategory                  (COCOeval)
 *
 * Detections come from the unit's packed record through the scoring map (scoring-map.ts),
 * GT through the same map. Only this cell's per-image evaluations live in memory while it
 * is scored. Every image of the audit must be given exactly once, and only units read
 * back from the store are given (a streamed cell's as they are committed, any other's
 * once all are stored; finish() needs every image), so live runs, resumed runs and
 * re-scoring read the same bytes and give the same numbers.
 */
import {
  accumulate,
  createEvalSetup,
  evaluateImage,
  summarize,
  type CocoStats,
  type EvalSetup,
  type GtAnnotation,
  type ImageEval,
  type PerCategoryResult,
} from '../cocoeval/cocoeval';
import { unpackDetections } from './packing';
import type { ScoringMap } from './scoring-map';

export interface AuditGroundTruth {
  /** the audit's images in plan order */
  images: readonly { id: number; width: number; height: number }[];
  /** every annotation of those images (all dataset categories) */
  annotationsByImage: ReadonlyMap<number, readonly GtAnnotation[]>;
}

export interface CellScore {
  stats: CocoStats;
  perCategory: PerCategoryResult[];
}

export class CellScorer {
  readonly setup: EvalSetup;
  private readonly evals: (ImageEval | undefined)[];
  private added = 0;

  constructor(
    private readonly gt: AuditGroundTruth,
    private readonly map: ScoringMap,
  ) {
    this.setup = createEvalSetup({ images: gt.images, categories: map.categories });
    this.evals = new Array<ImageEval | undefined>(gt.images.length);
  }

  /** One unit: the packed raw detections of the image at `imagePos`. */
  add(imagePos: number, packed: Uint8Array): void {
    const image = this.gt.images[imagePos];
    if (!image) throw new Error(`image position ${imagePos} is not in the audit (${this.gt.images.length} images)`);
    if (this.evals[imagePos]) throw new Error(`image position ${imagePos} was scored twice`);
    const gts = this.map.groundTruth(this.gt.annotationsByImage.get(image.id) ?? []);
    const dets = this.map.detections(image.id, unpackDetections(packed));
    this.evals[imagePos] = evaluateImage(this.setup, image.id, gts, dets);
    this.added++;
  }

  get complete(): boolean {
    return this.added === this.gt.images.length;
  }

  /** The per-image evaluations in plan order (what a compact match record is built from). */
  imageEvals(): ImageEval[] {
    if (!this.complete) throw new Error(`${this.gt.images.length - this.added} of ${this.gt.images.length} images are not scored yet`);
    return this.evals as ImageEval[];
  }

  finish(): CellScore {
    const result = summarize(accumulate(this.imageEvals(), this.setup));
    return { stats: result.stats, perCategory: result.per_category };
  }
}
