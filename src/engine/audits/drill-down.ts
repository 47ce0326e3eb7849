/**
 * The evidence behind a heatmap cell: which images of one (class, condition) each of two
 * models got right or wrong, and one unit's detections matched against the ground truth.
 *
 * Matching is the image view's (evaluations/image-matches.ts imageMatchesFor: COCOeval's
 * evaluateImg rules at ONE IoU threshold, default 0.5, every detection kept (score
 * threshold 0), 100 per category) under the model's class map as recorded with the audit
 * (merges relabel GT, ignore-for boxes are ignore regions), the same seam
 * (audits/scoring-map.ts) the cells are scored through.
 *
 * cellImages: for every image of the audit, the TP / FP / FN counts of evaluation
 * category c for model A and model B under condition k: TP / FP are A's (B's) detections
 * scored as c with that status; FN are GT boxes scored as c (after merges) left missed.
 * Images where neither model has a detection of c and no GT box is scored as c are left
 * out. Flags: missedOnlyByB (a GT box of c that A finds and B misses), foundOnlyByB (the
 * converse). Images in audit order.
 */
import { scoringLayout, type CategoryRef } from '../../shared/class-map';
import { OdraError } from '../../shared/errors';
import type { ImageEntry, ImageMatchesDto } from '../../shared/schemas';
import { imageMatchesFor } from '../evaluations/image-matches';
import type { AuditModelRow, AuditRepo } from './audit-repo';
import { unpackDetections } from './packing';
import { scoringMap, type ScoringMap } from './scoring-map';

export interface DrillSources {
  audits: Pick<AuditRepo, 'get' | 'models' | 'imageIds' | 'imagePosition' | 'unit'>;
  image(datasetId: number, imageId: number): ImageEntry;
  categories(datasetId: number): CategoryRef[];
}

export interface MatchCounts {
  tp: number;
  fp: number;
  fn: number;
}

export interface CellImageRow {
  imageId: number;
  fileName: string;
  a: MatchCounts;
  b: MatchCounts;
  missedOnlyByB: boolean;
  foundOnlyByB: boolean;
}

interface Scored {
  row: AuditModelRow;
  map: ScoringMap;
  /** dataset category id -> the evaluation category its boxes are GT of */
  scoredAs: ReadonlyMap<number, number>;
}

interface Context {
  id: number;
  datasetId: number;
  categories: CategoryRef[];
  models: Map<number, Scored>;
}

function context(sources: DrillSources, id: number, modelIds: number[]): Context {
  const audit = sources.audits.get(id);
  const rows = sources.audits.models(id);
  const categories = sources.categories(audit.datasetId).map((c) => ({ id: c.id, name: c.name }));
  const models = new Map<number, Scored>();
  for (const modelId of modelIds) {
    const row = rows.find((m) => m.modelId === modelId);
    if (!row) throw new OdraError('NOT_FOUND', `model ${modelId} is not in audit ${id}`);
    models.set(modelId, {
      row,
      map: scoringMap(row.classMap, row.adapter.classNames, categories),
      scoredAs: scoringLayout(row.classMap, categories).scoredAs,
    });
  }
  return { id, datasetId: audit.datasetId, categories, models };
}

function matchesOf(sources: DrillSources, ctx: Context, modelId: number, conditionIndex: number, imageId: number, imagePos: number, iouThreshold: number): ImageMatchesDto {
  const model = ctx.models.get(modelId)!;
  const blob = sources.audits.unit(ctx.id, conditionIndex, model.row.position, imagePos);
  return imageMatchesFor(
    {
      evaluation: () => ({ datasetId: ctx.datasetId, classMap: model.row.classMap, classNames: model.row.adapter.classNames, categories: ctx.categories }),
      detections: () =>
        blob ? unpackDetections(blob).map((d) => ({ categoryId: model.map.categoryOf(d.classIndex), classIndex: d.classIndex, bbox: d.bbox, score: d.score })) : [],
      image: (datasetId, id) => sources.image(datasetId, id),
    },
    { id: ctx.id, imageId, iouThreshold, scoreThreshold: 0 },
  );
}

/** One unit (model, condition, image) matched; a unit not yet run has no detections (done: false). */
export function unitMatches(
  sources: DrillSources,
  input: { id: number; modelId: number; conditionIndex: number; imageId: number; iouThreshold: number },
): ImageMatchesDto & { done: boolean } {
  const ctx = context(sources, input.id, [input.modelId]);
  const pos = sources.audits.imagePosition(input.id, input.imageId);
  if (pos === null) throw new OdraError('NOT_FOUND', `image ${input.imageId} is not in audit ${input.id}`);
  const done = sources.audits.unit(input.id, input.conditionIndex, ctx.models.get(input.modelId)!.row.position, pos) !== null;
  return { ...matchesOf(sources, ctx, input.modelId, input.conditionIndex, input.imageId, pos, input.iouThreshold), done };
}

function countsFor(m: ImageMatchesDto, categoryId: number, scoredAs: ReadonlyMap<number, number>): { counts: MatchCounts; matchedGt: Set<number> } {
  const counts: MatchCounts = { tp: 0, fp: 0, fn: 0 };
  const matchedGt = new Set<number>();
  for (const d of m.detections) {
    if (d.categoryId !== categoryId) continue;
    if (d.status === 'tp') counts.tp++;
    else if (d.status === 'fp') counts.fp++;
  }
  for (const g of m.groundTruth) {
    if (scoredAs.get(g.categoryId) !== categoryId) continue;
    if (g.status === 'missed') counts.fn++;
    if (g.status === 'matched') matchedGt.add(g.id);
  }
  return { counts, matchedGt };
}

/** The cell's detections as a COCO results file (image_id, category_id, bbox, score), images in audit order. */
export function cellCocoResults(
  sources: DrillSources,
  input: { id: number; modelId: number; conditionIndex: number },
): { image_id: number; category_id: number; bbox: [number, number, number, number]; score: number }[] {
  const ctx = context(sources, input.id, [input.modelId]);
  const model = ctx.models.get(input.modelId)!;
  const out: { image_id: number; category_id: number; bbox: [number, number, number, number]; score: number }[] = [];
  sources.audits.imageIds(input.id).forEach((imageId, pos) => {
    const blob = sources.audits.unit(input.id, input.conditionIndex, model.row.position, pos);
    if (blob) for (const d of model.map.detections(imageId, unpackDetections(blob))) out.push({ image_id: d.image_id, category_id: d.category_id, bbox: d.bbox, score: d.score });
  });
  return out;
}

/** Every image of the audit with category c's TP / FP / FN under condition k for models A and B. */
export function cellImages(
  sources: DrillSources,
  input: { id: number; conditionIndex: number; categoryId: number; modelA: number; modelB: number; iouThreshold: number },
): CellImageRow[] {
  const ctx = context(sources, input.id, [...new Set([input.modelA, input.modelB])]);
  const A = ctx.models.get(input.modelA)!;
  const B = ctx.models.get(input.modelB)!;
  const out: CellImageRow[] = [];
  sources.audits.imageIds(input.id).forEach((imageId, pos) => {
    const a = countsFor(matchesOf(sources, ctx, input.modelA, input.conditionIndex, imageId, pos, input.iouThreshold), input.categoryId, A.scoredAs);
    const b =
      input.modelB === input.modelA
        ? a
        : countsFor(matchesOf(sources, ctx, input.modelB, input.conditionIndex, imageId, pos, input.iouThreshold), input.categoryId, B.scoredAs);
    const image = sources.image(ctx.datasetId, imageId);
    const hasGt = image.annotations.some((g) => !g.iscrowd && (A.scoredAs.get(g.categoryId) === input.categoryId || B.scoredAs.get(g.categoryId) === input.categoryId));
    if (!hasGt && a.counts.tp + a.counts.fp + b.counts.tp + b.counts.fp === 0) return;
    out.push({
      imageId,
      fileName: image.fileName,
      a: a.counts,
      b: b.counts,
      missedOnlyByB: [...a.matchedGt].some((g) => !b.matchedGt.has(g)),
      foundOnlyByB: [...b.matchedGt].some((g) => !a.matchedGt.has(g)),
    });
  });
  return out;
}
