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
 *
 * Categories the evaluation did not score (unmapped in its class map) take no part:
 * their GT is reported as 'excluded' and their detections (there are none: an
 * evaluation stores detections of mapped categories only) are dropped.
 * COCO's area range 'all' is [0, 1e10] px²; nothing in a real image exceeds it, so it
 * is not checked here.
 */

export type Box = [number, number, number, number];

export interface MatchGt {
  id: number;
  categoryId: number;
  bbox: Box;
  iscrowd: boolean;
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
export type GtStatus = 'matched' | 'missed' | 'crowd' | 'excluded';

export interface MatchedDetection extends MatchDetection {
  status: DetectionStatus;
  /** the GT (or crowd region) the detection matched */
  gtId?: number;
  /** its IoU with that GT */
  iou?: number;
}

export interface MatchedGt extends MatchGt {
  status: GtStatus;
}

export interface ImageMatches {
  /** highest score first */
  detections: MatchedDetection[];
  /** in input order */
  groundTruth: MatchedGt[];
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

export function matchImage(gts: readonly MatchGt[], dets: readonly MatchDetection[], options: MatchOptions): ImageMatches {
  const { iouThreshold, scoreThreshold, scoredCategories } = options;
  const maxDets = options.maxDets ?? 100;
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new RangeError(`iouThreshold must be in [0, 1], got ${iouThreshold}`);
  if (!Number.isFinite(scoreThreshold)) throw new RangeError(`scoreThreshold must be a number, got ${scoreThreshold}`);
  const thr = Math.min(iouThreshold, IOU_CAP);
  const scored = (c: number): boolean => !scoredCategories || scoredCategories.has(c);

  const gtStatus: GtStatus[] = gts.map((g) => (!scored(g.categoryId) ? 'excluded' : g.iscrowd ? 'crowd' : 'missed'));
  const out: MatchedDetection[] = [];
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
    const sorted = [...catGts.filter((j) => !gts[j].iscrowd), ...catGts.filter((j) => gts[j].iscrowd)];
    const matched = new Uint8Array(sorted.length);
    for (const i of kept) {
      const d = dets[i];
      let best = -1;
      let bestIou = thr;
      for (let s = 0; s < sorted.length; s++) {
        const g = gts[sorted[s]];
        if (matched[s] && !g.iscrowd) continue;
        if (best > -1 && !gts[sorted[best]].iscrowd && g.iscrowd) break;
        const v = boxIou(d.bbox, g.bbox, g.iscrowd);
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
      if (!g.iscrowd) gtStatus[sorted[best]] = 'matched';
      out.push({ ...d, status: g.iscrowd ? 'ignored' : 'tp', gtId: g.id, iou: bestIou });
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
  evaluation(id: number): { datasetId: number; classMap: Record<string, string[]> };
  detections(id: number, imageId: number): MatchDetection[];
  image(datasetId: number, imageId: number): { annotations: MatchGt[] };
}

/**
 * One stored image of an evaluation, matched. The categories scored are the ones the
 * evaluation's recorded class map maps to a model class, as in its metrics.
 */
export function imageMatchesFor(
  sources: ImageMatchSources,
  input: { id: number; imageId: number; iouThreshold: number; scoreThreshold: number },
): ImageMatches {
  const evaluation = sources.evaluation(input.id);
  const scored = new Set(
    Object.entries(evaluation.classMap)
      .filter(([, names]) => names.length > 0)
      .map(([key]) => Number(key)),
  );
  const image = sources.image(evaluation.datasetId, input.imageId);
  return matchImage(image.annotations, sources.detections(input.id, input.imageId), {
    iouThreshold: input.iouThreshold,
    scoreThreshold: input.scoreThreshold,
    scoredCategories: scored,
  });
}
