/**
 * Which detections of one image are true or false positives and which ground-truth
 * boxes were found or missed, at ONE IoU threshold and an operating score threshold:
 * what the image view colours. The rules are COCOeval's (src/engine/cocoeval/cocoeval.ts,
 * evaluateImg) for area range 'all' and a single threshold t:
 *
 *   - per category; detections below the score threshold are dropped first (the view
 *     shows an operating point), then stable-sorted by score, highest first, and cut
 *     to maxDets (100) per category;
 *   - GT stable-sorted non-crowd first; each detection in turn takes, among GT not yet
 *     matched (crowd regions stay available), the one with the highest IoU >=
 *     min(t, 1 - 1e-10); equal IoU: the later GT in that order wins; once it holds a
 *     non-crowd GT the scan stops at the first crowd region;
 *   - IoU in double, boxes unclipped; against a crowd region it is inter / detection area;
 *   - matched to a non-crowd GT: 'tp'; matched to a crowd region: 'ignored' (absorbed,
 *     neither TP nor FP); unmatched: 'fp'.
 *   - an ignore region (a class map's "ignore for" rule) is matched exactly as a crowd
 *     region, as in the evaluator; a detection it absorbs is 'ignored' too.
 *
 * imageMatchesFor applies the evaluation's recorded class map first, as its metrics
 * did (src/shared/class-map.ts): GT of merged categories relabelled to their
 * evaluation category, boxes of "ignore for" categories added as ignore regions, GT of
 * unmapped categories 'excluded'; then reports per dataset box: 'matched' / 'missed' /
 * 'crowd' when it is scored, else 'ignore-region' when it is one for some scored
 * category, else 'excluded'. Stored detections whose model class is not scored take no
 * part in matching and are reported as 'not-scored' (at or above the score threshold),
 * labelled with the model's class name.
 * COCO's area range 'all' is [0, 1e10] px²; nothing in a real image exceeds it, so it
 * is not checked here.
 */
import { scoringLayout } from '../../shared/class-map';
import type { ClassMap, ImageMatchesDto } from '../../shared/schemas';

export type Box = [number, number, number, number];

export interface MatchGt {
  id: number;
  categoryId: number;
  bbox: Box;
  iscrowd: boolean;
  /** an ignore region: matched as a crowd region, never GT */
  ignoreRegion?: boolean;
}

export interface MatchDetection {
  categoryId: number;
  bbox: Box;
  score: number;
}

export interface MatchOptions {
  iouThreshold: number;
  scoreThreshold: number;
  /** detections kept per category, highest scores first (COCO: 100) */
  maxDets?: number;
  /** categories that are scored; all when absent */
  scoredCategories?: ReadonlySet<number>;
}

export type DetectionStatus = 'tp' | 'fp' | 'ignored';
export type GtStatus = 'matched' | 'missed' | 'crowd' | 'ignore-region' | 'excluded';

export type MatchedDetection<D extends MatchDetection = MatchDetection> = D & {
  status: DetectionStatus;
  /** the GT (crowd or ignore region) the detection matched */
  gtId?: number;
  /** its IoU with that GT */
  iou?: number;
  /** what absorbed an ignored detection */
  ignoredBy?: 'crowd' | 'ignore-region';
};

export type MatchedGt<G extends MatchGt = MatchGt> = G & {
  status: GtStatus;
};

export interface ImageMatches<D extends MatchDetection = MatchDetection, G extends MatchGt = MatchGt> {
  /** highest score first */
  detections: MatchedDetection<D>[];
  /** in input order */
  groundTruth: MatchedGt<G>[];
  /** detections left out: under the score threshold, or past maxDets in their category */
  hidden: { belowScore: number; beyondMaxDets: number };
}

/** COCO caps the threshold just under 1 so that IoU = 1 still matches at t = 1. */
const IOU_CAP = 1 - 1e-10;

/** maskApi.c bbIou for one pair; a crowd region counts the detection's own area only. */
export function boxIou(d: Box, g: Box, crowd: boolean): number {
  const w = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  const dArea = d[2] * d[3];
  return inter / (crowd ? dArea : dArea + g[2] * g[3] - inter);
}

export function matchImage<D extends MatchDetection, G extends MatchGt>(
  gts: readonly G[],
  dets: readonly D[],
  options: MatchOptions,
): ImageMatches<D, G> {
  const { iouThreshold, scoreThreshold, scoredCategories } = options;
  const maxDets = options.maxDets ?? 100;
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new RangeError(`iouThreshold must be in [0, 1], got ${iouThreshold}`);
  if (!Number.isFinite(scoreThreshold)) throw new RangeError(`scoreThreshold must be a number, got ${scoreThreshold}`);
  const thr = Math.min(iouThreshold, IOU_CAP);
  const scored = (c: number): boolean => !scoredCategories || scoredCategories.has(c);

  // crowd regions and ignore regions match alike; "crowd" below means either
  const crowd = gts.map((g) => g.iscrowd || g.ignoreRegion === true);
  const gtStatus: GtStatus[] = gts.map((g, j) =>
    !scored(g.categoryId) ? 'excluded' : g.ignoreRegion === true ? 'ignore-region' : crowd[j] ? 'crowd' : 'missed',
  );
  const out: MatchedDetection<D>[] = [];
  let belowScore = 0;
  let beyondMaxDets = 0;

  const byCategory = new Map<number, number[]>();
  dets.forEach((d, i) => {
    if (!scored(d.categoryId)) return;
    if (!(d.score >= scoreThreshold)) {
      belowScore++;
      return;
    }
    const list = byCategory.get(d.categoryId) ?? [];
    list.push(i);
    byCategory.set(d.categoryId, list);
  });

  for (const [categoryId, indices] of byCategory) {
    // stable: equal scores keep input order, as np.argsort(kind='mergesort')
    const order = [...indices].sort((a, b) => dets[b].score - dets[a].score || a - b);
    beyondMaxDets += Math.max(0, order.length - maxDets);
    const kept = order.slice(0, maxDets);
    const catGts: number[] = [];
    gts.forEach((g, j) => {
      if (g.categoryId === categoryId) catGts.push(j);
    });
    const sorted = [...catGts.filter((j) => !crowd[j]), ...catGts.filter((j) => crowd[j])];
    const matched = new Uint8Array(sorted.length);
    for (const i of kept) {
      const d = dets[i];
      let best = -1;
      let bestIou = thr;
      for (let s = 0; s < sorted.length; s++) {
        const c = crowd[sorted[s]];
        if (matched[s] && !c) continue;
        if (best > -1 && !crowd[sorted[best]] && c) break;
        const v = boxIou(d.bbox, gts[sorted[s]].bbox, c);
        if (v < bestIou) continue;
        bestIou = v;
        best = s;
      }
      if (best === -1) {
        out.push({ ...d, status: 'fp' });
        continue;
      }
      matched[best] = 1;
      const g = gts[sorted[best]];
      if (!crowd[sorted[best]]) out.push({ ...d, status: 'tp', gtId: g.id, iou: bestIou });
      else out.push({ ...d, status: 'ignored', gtId: g.id, iou: bestIou, ignoredBy: g.ignoreRegion === true ? 'ignore-region' : 'crowd' });
      if (!crowd[sorted[best]]) gtStatus[sorted[best]] = 'matched';
    }
  }
  out.sort((a, b) => b.score - a.score);
  return {
    detections: out,
    groundTruth: gts.map((g, j) => ({ ...g, status: gtStatus[j] })),
    hidden: { belowScore, beyondMaxDets },
  };
}

/** What imageMatchesFor reads from the store (EvaluationRepo and DatasetRepo have these). */
export interface ImageMatchSources {
  evaluation(id: number): {
    datasetId: number;
    classMap: ClassMap;
    /** the model's class names when the evaluation ran */
    classNames: readonly string[];
    categories: readonly { id: number; name: string }[];
  };
  detections(id: number, imageId: number): { categoryId: number | null; classIndex: number | null; bbox: Box; score: number }[];
  image(datasetId: number, imageId: number): { annotations: MatchGt[] };
}

/** One stored image of an evaluation, matched under the evaluation's recorded class map, as in its metrics. */
export function imageMatchesFor(
  sources: ImageMatchSources,
  input: { id: number; imageId: number; iouThreshold: number; scoreThreshold: number },
): ImageMatchesDto {
  const evaluation = sources.evaluation(input.id);
  const layout = scoringLayout(evaluation.classMap, evaluation.categories);
  const datasetName = new Map(evaluation.categories.map((c) => [c.id, c.name]));
  const evalName = new Map(layout.categories.map((c) => [c.id, c.name]));
  const image = sources.image(evaluation.datasetId, input.imageId);

  // the GT the evaluator scored, each entry remembering the dataset box it came from
  const expanded: (MatchGt & { source: number })[] = [];
  image.annotations.forEach((a, source) => {
    const as = layout.scoredAs.get(a.categoryId);
    if (as !== undefined) expanded.push({ ...a, categoryId: as, ignoreRegion: false, source });
    for (const f of layout.ignoreFor.get(a.categoryId) ?? []) expanded.push({ ...a, categoryId: f, ignoreRegion: true, source });
  });

  const stored = sources.detections(input.id, input.imageId);
  const scored = stored.filter((d): d is typeof d & { categoryId: number } => d.categoryId !== null);
  const m = matchImage(expanded, scored, { iouThreshold: input.iouThreshold, scoreThreshold: input.scoreThreshold });

  const status: ImageMatchesDto['groundTruth'][number]['status'][] = image.annotations.map(() => 'excluded');
  for (const g of m.groundTruth) {
    const own = status[g.source];
    if (g.status === 'ignore-region') {
      if (own === 'excluded') status[g.source] = 'ignore-region';
    } else if (g.status !== 'excluded') status[g.source] = g.status;
  }

  let belowScore = m.hidden.belowScore;
  const detections: ImageMatchesDto['detections'] = m.detections.map((d) => ({
    bbox: d.bbox,
    score: d.score,
    categoryId: d.categoryId,
    classIndex: d.classIndex,
    label: evalName.get(d.categoryId) ?? datasetName.get(d.categoryId) ?? `#${d.categoryId}`,
    status: d.status,
    ...(d.ignoredBy ? { ignoredBy: d.ignoredBy } : {}),
    ...(d.gtId !== undefined ? { gtId: d.gtId, iou: d.iou } : {}),
  }));
  for (const d of stored) {
    if (d.categoryId !== null) continue;
    if (!(d.score >= input.scoreThreshold)) {
      belowScore++;
      continue;
    }
    const name = d.classIndex === null ? undefined : evaluation.classNames[d.classIndex];
    detections.push({ bbox: d.bbox, score: d.score, categoryId: null, classIndex: d.classIndex, label: name ?? `class ${d.classIndex ?? '?'}`, status: 'not-scored' });
  }
  // stable: among equal scores the scored detections stay first
  detections.sort((a, b) => b.score - a.score);

  return {
    detections,
    groundTruth: image.annotations.map((a, j) => {
      const as = layout.scoredAs.get(a.categoryId);
      return {
        id: a.id,
        bbox: a.bbox,
        categoryId: a.categoryId,
        label: datasetName.get(a.categoryId) ?? `#${a.categoryId}`,
        scoredAs: as === undefined ? null : (evalName.get(as) ?? null),
        iscrowd: a.iscrowd,
        status: status[j],
      };
    }),
    hidden: { belowScore, beyondMaxDets: m.hidden.beyondMaxDets },
  };
}
