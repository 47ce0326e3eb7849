/**
 * The evidence behind a heatmap cell: which images of one (class, condition) each of two
 * models got right or wrong, and one unit's detections matched against the ground truth.
 *
 * Matching is the image view's (evaluations/image-matches.ts matchImage: COCOeval's
 * evaluateImg rules at ONE IoU threshold, default 0.5, every detection kept (score
 * threshold 0), 100 per category). Detections are the unit's raw detections turned into
 * evaluation categories by the model's scoring map (audits/scoring-map.ts), the same
 * seam the cells are scored through; GT of categories the model's map leaves unscored is
 * 'excluded'.
 *
 * cellImages: for every image of the audit, the TP / FP / FN counts of category c for
 * model A and model B under condition k; images where neither model has a detection of
 * c and the image has no GT of c are left out. Flags: missedOnlyByB (A finds a GT box of
 * c that B misses), foundOnlyByB (the converse). Images in audit order.
 */
import type { ImageEntry } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import { matchImage, type ImageMatches, type MatchDetection } from '../evaluations/image-matches';
import type { AuditModelRow, AuditRepo } from './audit-repo';
import { unpackDetections } from './packing';
import { scoringMap, type ScoringMap } from './scoring-map';
import type { CategoryRef } from '../evaluations/class-map';

export interface DrillSources {
  audits: Pick<AuditRepo, 'get' | 'models' | 'imageIds' | 'imagePosition' | 'unit'>;
  image(datasetId: number, imageId: number): ImageEntry;
  categories(datasetId: number): CategoryRef[];
}

export interface UnitMatchInput {
  id: number;
  modelId: number;
  conditionIndex: number;
  imageId: number;
  iouThreshold: number;
}

export interface CellImagesInput {
  id: number;
  conditionIndex: number;
  categoryId: number;
  modelA: number;
  modelB: number;
  iouThreshold: number;
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

interface Context {
  datasetId: number;
  models: Map<number, { row: AuditModelRow; map: ScoringMap }>;
}

function context(sources: DrillSources, id: number, modelIds: number[]): Context {
  const audit = sources.audits.get(id);
  const rows = sources.audits.models(id);
  const categories = sources.categories(audit.datasetId);
  const models = new Map<number, { row: AuditModelRow; map: ScoringMap }>();
  for (const modelId of modelIds) {
    const row = rows.find((m) => m.modelId === modelId);
    if (!row) throw new OdraError('NOT_FOUND', `model ${modelId} is not in audit ${id}`);
    models.set(modelId, { row, map: scoringMap(row.classMap, row.adapter.classNames, categories) });
  }
  return { datasetId: audit.datasetId, models };
}

function matchesOf(sources: DrillSources, ctx: Context, id: number, modelId: number, conditionIndex: number, image: ImageEntry, imagePos: number, iouThreshold: number): ImageMatches {
  const model = ctx.models.get(modelId);
  if (!model) throw new OdraError('NOT_FOUND', `model ${modelId} is not in audit ${id}`);
  const blob = sources.audits.unit(id, conditionIndex, model.row.position, imagePos);
  const dets: MatchDetection[] = blob
    ? model.map.detections(image.id, unpackDetections(blob)).map((d) => ({ categoryId: d.category_id, bbox: d.bbox, score: d.score }))
    : [];
  const scored = new Set(model.map.categories.map((c) => c.id));
  return matchImage(image.annotations, dets, { iouThreshold, scoreThreshold: 0, scoredCategories: scored });
}

/** One unit (model, condition, image) matched; a unit not yet run has no detections. */
export function unitMatches(sources: DrillSources, input: UnitMatchInput): ImageMatches & { done: boolean } {
  const ctx = context(sources, input.id, [input.modelId]);
  const pos = sources.audits.imagePosition(input.id, input.imageId);
  if (pos === null) throw new OdraError('NOT_FOUND', `image ${input.imageId} is not in audit ${input.id}`);
  const done = sources.audits.unit(input.id, input.conditionIndex, ctx.models.get(input.modelId)!.row.position, pos) !== null;
  const image = sources.image(ctx.datasetId, input.imageId);
  return { ...matchesOf(sources, ctx, input.id, input.modelId, input.conditionIndex, image, pos, input.iouThreshold), done };
}

function countsFor(m: ImageMatches, categoryId: number): { counts: MatchCounts; matchedGt: Set<number> } {
  const counts: MatchCounts = { tp: 0, fp: 0, fn: 0 };
  const matchedGt = new Set<number>();
  for (const d of m.detections) {
    if (d.categoryId !== categoryId) continue;
    if (d.status === 'tp') counts.tp++;
    else if (d.status === 'fp') counts.fp++;
  }
  for (const g of m.groundTruth) {
    if (g.categoryId !== categoryId) continue;
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
export function cellImages(sources: DrillSources, input: CellImagesInput): CellImageRow[] {
  const ctx = context(sources, input.id, [...new Set([input.modelA, input.modelB])]);
  const out: CellImageRow[] = [];
  sources.audits.imageIds(input.id).forEach((imageId, pos) => {
    const image = sources.image(ctx.datasetId, imageId);
    const a = countsFor(matchesOf(sources, ctx, input.id, input.modelA, input.conditionIndex, image, pos, input.iouThreshold), input.categoryId);
    const b =
      input.modelB === input.modelA
        ? a
        : countsFor(matchesOf(sources, ctx, input.id, input.modelB, input.conditionIndex, image, pos, input.iouThreshold), input.categoryId);
    const hasGt = image.annotations.some((g) => g.categoryId === input.categoryId && !g.iscrowd);
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
