/**
 * COCO bbox evaluation, a re-implementation of pycocotools' COCOeval (iouType 'bbox')
 * that gives the same numbers (pycocotools 2.0.11 = ppwwyyxx/cocoapi ac87f50,
 * numpy 1.24): every comparison, tie order and floating-point operation that decides
 * a number is reproduced, down to numpy's summation order in the final means, so the
 * results are bit-identical to pycocotools' on every reference fixture.
 *
 * Usage (pycocotools' `E = COCOeval(gt, loadRes(dt)); E.evaluate(); E.accumulate(); E.summarize()`):
 *
 *   evaluateCoco(gt, dets, params?)                 everything below in one call
 *
 *   const gtIndex = indexGroundTruth(gt)            COCO(gt.json)
 *   const detSet  = loadResults(gtIndex, dets)      COCO.loadRes(dets)
 *                   (or loadResultsJson(gtIndex, bytes) from './results-json': the same
 *                   from a results file's bytes, several times faster than JSON.parse)
 *   const ev      = evaluate(gtIndex, detSet, params)   COCOeval.evaluate()
 *   const acc     = accumulate(ev.images, ev.setup)     COCOeval.accumulate()
 *   const result  = summarize(acc)                      COCOeval.summarize() + per category
 *
 *   Streaming (an audit that matches image by image and accumulates at the end):
 *   const setup = createEvalSetup(gt, params)
 *   for each image: evals.push(evaluateImage(setup, imageId, gtAnnsOfImage, detsOfImage))
 *   const acc = accumulate(evals, setup)  // any order of evals; images are sorted by id here
 *   Calling evaluateImage for every image of setup.imgIds gives exactly evaluate()'s result.
 *   accumulate() also accepts any multiset of image results (a bootstrap resample repeats
 *   images; repeats of one id are taken in the order given).
 *
 * Parameters (EvalParams; defaults = pycocotools Params('bbox')):
 *   imgIds   [I]  images to evaluate (default: all of gt.images), sorted, unique
 *   catIds   [K]  categories (default: all of gt.categories), sorted, unique
 *   iouThrs  [T]  np.linspace(.5, .95, 10) = i * ((.95 - .5) / 9) + .5 in double: 0.5, 0.55,
 *                 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95 (NOT 0.5 + 0.05 i,
 *                 which gives 0.8500000000000001 and 0.9)
 *   recThrs  [R]  np.linspace(0, 1, 101): i * 0.01 in double; 10 of them are one ulp
 *                 above the decimal (0.35000000000000003, 0.7000000000000001, ...)
 *   maxDets  [M]  [1, 10, 100], sorted ascending; the largest is applied in evaluate
 *   areaRng  [A]  [0, 1e10], [0, 32²], [32², 96²], [96², 1e10] labelled all, small,
 *                 medium, large; closed on both ends (an area on a boundary is in both)
 *
 * Loading (loadRes): detection area = w * h; detection ids are their position in the
 *   list (so file order); iscrowd = 0. A detection whose image_id is not in gt.images
 *   throws (pycocotools asserts). Non-finite bbox values or scores throw (pycocotools
 *   would produce unspecified orders). Detections and GT of categories outside catIds,
 *   or of images outside imgIds, are dropped silently, as in pycocotools. An empty
 *   detection list is allowed (pycocotools crashes on it); every GT is then missed.
 *   GT: `ignore` is set to `iscrowd` and a given `ignore` field has no effect (as in
 *   pycocotools' _prepare); the GT `area` field (not w * h) decides its area range.
 *
 * Ignore regions (Odra's extension; pycocotools has none): a GT annotation with
 *   `ignore_region: true` is a box where detections of its category are neither TP nor
 *   FP (a class map's "ignore for" rule, src/shared/class-map.ts: KITTI's Van boxes for
 *   the Car category). It is matched exactly as a crowd region, whatever its iscrowd:
 *   IoU = intersection / detection area (maskApi.c's iscrowd form), at the same
 *   thresholds; it is ignored in every area range, sorted after the non-ignored GT,
 *   stays available after a match (absorbs any number of detections), and a detection
 *   holding a non-ignored GT stops at it; a detection it absorbs is IGNORED. Unlike a
 *   crowd region it is not ground truth at all: it is never counted in num_gt (crowd
 *   regions are). Without ignore regions every number is pycocotools' own; with them,
 *   the numbers equal pycocotools' on the same GT with each ignore region written as a
 *   crowd annotation, except num_gt.
 *
 * evaluate, per (image, category) with any GT or detection (evaluateImg):
 *   1. detections: stable sort by score, highest first (np.argsort(-score, 'mergesort')),
 *      ties kept in file order; keep the first maxDets[M-1].
 *   2. IoU [D x G] as maskApi.c bbIou, in double, boxes not clipped:
 *        w = min(dx + dw, gx + gw) - max(dx, gx); h likewise; 0 if w <= 0 or h <= 0;
 *        IoU = w*h / (dw*dh + gw*gh - w*h), crowd GT: w*h / (dw*dh).
 *      The box product gw*gh is used here, the `area` field only for area ranges.
 *   3. for each area range a: gtIgnore = iscrowd || area < lo || area > hi; GT stable-
 *      sorted non-ignored first. For each threshold t (one independent greedy pass per
 *      t), detections in score order each take, among GT not yet matched at t (crowd GT
 *      stay available), the one with the highest IoU >= min(t, 1 - 1e-10); on equal IoU
 *      the later GT in the sorted order wins; once a non-ignored GT is held the scan
 *      stops at the first ignored GT.
 *      A matched detection is TP, or ignored when its GT is ignored (crowd or out of
 *      range); an unmatched one is FP, or ignored when its own area (w * h) is out of
 *      range.
 *   Per (image, category) this yields scores [D], states [D][A][T] (FP/TP/IGNORED) and
 *   the number of non-ignored GT per area range (npig).
 *
 * accumulate, for each (k, a, m) (pycocotools accumulate):
 *   images in ascending id order; each image's detections cut to the first maxDets[m]
 *   (of its score-sorted list); concatenated, then stable-sorted by score, highest first:
 *   equal scores keep image-id order, then the per-image order. If no image has
 *   non-ignored GT of k in range a (npig = 0): precision and recall stay -1.
 *   Otherwise, over all nd detections of that order (ignored ones included as positions
 *   that count neither as TP nor FP):
 *     tp, fp = cumulative counts; rc = tp / npig; pr = tp / (tp + fp + eps),
 *     eps = np.spacing(1) = 2.220446049250313e-16
 *     recall[t,k,a,m] = rc[nd-1] (0 when nd = 0)
 *     pr made non-increasing from the right (pr[i-1] = max(pr[i-1], pr[i]))
 *     for each recall threshold r in order: i = searchsorted(rc, recThrs[r], 'left')
 *     (first i with rc[i] >= recThrs[r]); if i >= nd, this and all later r stay 0;
 *     else precision[t,r,k,a,m] = pr[i], scores[t,r,k,a,m] = sorted score i.
 *   Arrays (C order, like numpy): precision, scores [T,R,K,A,M]; recall [T,K,A,M].
 *
 * summarize (pycocotools' _summarizeDets), each stat = np.mean of the selected entries
 *   > -1, -1 when none. np.mean sums in C order of the selection, pairwise within
 *   chunks of 8192 (numpy's buffer size), the chunk sums added in turn:
 *   AP   precision, all T, area 'all', maxDets = 100 (literally 100, as pycocotools)
 *   AP50 / AP75: t with iouThrs[t] == .5 / .75 exactly, area 'all', maxDets[2]
 *   APs, APm, APl: areas 'small', 'medium', 'large', maxDets[2]
 *   AR1, AR10, AR100: recall, all T, area 'all', maxDets[0], [1], [2]
 *   ARs, ARm, ARl: recall, maxDets[2]
 *   A stat whose area label or maxDets entry does not exist is -1 (pycocotools raises
 *   on a missing maxDets entry). Area labels and maxDets values are looked up by their
 *   first occurrence.
 *   Per category k: AP = mean of precision[:, :, k, 'all', maxDets=100] over entries
 *   > -1, AP50 = the same at the iouThrs == 0.5 row; null where pycocotools has only -1
 *   (no non-crowd GT of k, or no such row). num_gt counts crowd GT too (ignore regions
 *   not), num_dets all detections of k before the maxDets cut, both over the evaluated
 *   images.
 *
 * One deliberate deviation: pycocotools records a match by annotation id and treats id
 * 0 as "unmatched", so a detection matched to a GT with id 0 counts as FP there. Here
 * matches are recorded by position, so GT ids play no role; the numbers equal
 * pycocotools' whenever no GT has id 0 (true of every COCO dataset and fixture).
 */

import { numpyMean } from './numpy';
import { sortByScoreDesc, stableOrderByScoreDesc } from './sort';
import { createEvalSetup, type EvalParams, type EvalSetup } from './params';

export { createEvalSetup, DEFAULT_EVAL_PARAMS, type EvalParams, type EvalSetup } from './params';

export interface GtImage { id: number; width?: number; height?: number }
export interface GtAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1 | boolean;
  /** Has no effect, as in pycocotools (its _prepare overwrites it with iscrowd). */
  ignore?: number;
  /** an ignore region (see the header): matched as a crowd region, never counted as GT */
  ignore_region?: boolean;
}
export interface Category { id: number; name: string }
export interface CocoGroundTruth { images: GtImage[]; annotations: GtAnnotation[]; categories: Category[] }
export interface CocoDetection { image_id: number; category_id: number; bbox: [number, number, number, number]; score: number }
export interface CocoStats {
  AP: number; AP50: number; AP75: number; APs: number; APm: number; APl: number;
  AR1: number; AR10: number; AR100: number; ARs: number; ARm: number; ARl: number;
}
export interface PerCategoryResult { id: number; name: string; AP: number | null; AP50: number | null; num_gt: number; num_dets: number }
export interface CocoEvalResult { stats: CocoStats; statsArray: number[]; per_category: PerCategoryResult[] }

/** Per-detection match state at one (area range, IoU threshold). */
export const DET_FP = 0;
export const DET_TP = 1;
export const DET_IGNORED = 2;
/** detUniform value: the state depends on the threshold. */
export const DET_MIXED = 255;

/** GtArrays.crowd values: both match as crowd regions (every test is `crowd !== 0`); only CROWD counts in num_gt. */
const CROWD = 1;
const IGNORE_REGION = 2;

function crowdCode(a: Pick<GtAnnotation, 'iscrowd' | 'ignore_region'>): number {
  return a.ignore_region === true ? IGNORE_REGION : a.iscrowd ? CROWD : 0;
}

/** pycocotools: min(t, 1 - 1e-10) caps the threshold so IoU 1 always matches. */
const IOU_CAP = 1 - 1e-10;
/** np.spacing(1) */
const EPS = 2.220446049250313e-16;

// ---------------------------------------------------------------------------------
// Loading

/** Ground truth in typed arrays, annotations in file order (COCO(gt.json)). */
export interface GroundTruthIndex {
  readonly images: readonly GtImage[];
  readonly categories: readonly Category[];
  /** Every image id listed in gt.images. */
  readonly imageIds: ReadonlySet<number>;
  readonly n: number;
  readonly imageId: Float64Array;
  readonly categoryId: Float64Array;
  /** [n*4] x, y, w, h */
  readonly box: Float64Array;
  /** the annotation's `area` field */
  readonly area: Float64Array;
  /** CROWD for crowd regions, IGNORE_REGION for ignore regions, 0 for GT */
  readonly crowd: Uint8Array;
}

/** Detections in typed arrays, in file order (COCO.loadRes). */
export interface DetectionSet {
  readonly n: number;
  readonly imageId: Float64Array;
  readonly categoryId: Float64Array;
  /** [n*4] x, y, w, h */
  readonly box: Float64Array;
  /** w * h */
  readonly area: Float64Array;
  readonly score: Float64Array;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function readBox(bbox: unknown, out: Float64Array, i: number, what: string): void {
  if (!Array.isArray(bbox) || bbox.length !== 4) throw new Error(`${what}: bbox must be [x, y, w, h]`);
  for (let j = 0; j < 4; j++) {
    const v: unknown = bbox[j];
    if (!isFiniteNumber(v)) throw new Error(`${what}: bbox[${j}] is not a finite number (${String(v)})`);
    out[4 * i + j] = v;
  }
}

export function indexGroundTruth(gt: CocoGroundTruth): GroundTruthIndex {
  if (!Array.isArray(gt.images) || !Array.isArray(gt.annotations) || !Array.isArray(gt.categories)) {
    throw new Error('ground truth must have images, annotations and categories arrays');
  }
  const anns = gt.annotations;
  const n = anns.length;
  const imageId = new Float64Array(n);
  const categoryId = new Float64Array(n);
  const box = new Float64Array(4 * n);
  const area = new Float64Array(n);
  const crowd = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = anns[i];
    const what = `GT annotation ${i} (id ${String(a.id)})`;
    if (!isFiniteNumber(a.image_id)) throw new Error(`${what}: image_id is not a number`);
    if (!isFiniteNumber(a.category_id)) throw new Error(`${what}: category_id is not a number`);
    if (!isFiniteNumber(a.area)) throw new Error(`${what}: area is not a finite number`);
    imageId[i] = a.image_id;
    categoryId[i] = a.category_id;
    readBox(a.bbox, box, i, what);
    area[i] = a.area;
    crowd[i] = crowdCode(a);
  }
  return {
    images: gt.images,
    categories: gt.categories,
    imageIds: new Set(gt.images.map((im) => im.id)),
    n, imageId, categoryId, box, area, crowd,
  };
}

export function loadResults(gt: GroundTruthIndex, dets: readonly CocoDetection[]): DetectionSet {
  if (!Array.isArray(dets)) throw new Error('detections must be an array of {image_id, category_id, bbox, score}');
  const n = dets.length;
  const imageId = new Float64Array(n);
  const categoryId = new Float64Array(n);
  const box = new Float64Array(4 * n);
  const area = new Float64Array(n);
  const score = new Float64Array(n);
  const missing = new Set<number>();
  for (let i = 0; i < n; i++) {
    const d = dets[i];
    if (!gt.imageIds.has(d.image_id)) {
      missing.add(d.image_id);
      continue;
    }
    if (!isFiniteNumber(d.category_id)) throw new Error(`detection ${i}: category_id is not a number`);
    if (!isFiniteNumber(d.score)) throw new Error(`detection ${i}: score is not a finite number (${String(d.score)})`);
    imageId[i] = d.image_id;
    categoryId[i] = d.category_id;
    readBox(d.bbox, box, i, `detection ${i}`);
    area[i] = box[4 * i + 2] * box[4 * i + 3];
    score[i] = d.score;
  }
  if (missing.size > 0) throw new Error(missingImagesMessage(missing));
  return { n, imageId, categoryId, box, area, score };
}

/** loadRes's refusal of detections on images the ground truth does not list. */
export function missingImagesMessage(missing: ReadonlySet<number>): string {
  const shown = [...missing].slice(0, 10).map(String).join(', ');
  return (
    `Results do not correspond to the ground truth: detections on ${missing.size} image id(s) not in gt.images ` +
    `(${shown}${missing.size > 10 ? ', ...' : ''})`
  );
}

// ---------------------------------------------------------------------------------
// Per-image evaluation (evaluateImg)

/**
 * The evaluation of one image: one block per category with any GT or detection there
 * (pycocotools' evalImgs entries of that image, all area ranges at once).
 */
export interface ImageEval {
  readonly imageId: number;
  readonly numBlocks: number;
  /** [numBlocks] k (index into setup.catIds), ascending */
  readonly cat: Int32Array;
  /** [numBlocks] GT of the category on the image, crowd included, ignore regions not */
  readonly numGt: Int32Array;
  /** [numBlocks] detections of the category on the image before the maxDets cut */
  readonly numDets: Int32Array;
  /** [numBlocks * A] GT that are not ignored in area range a (pycocotools' gtIgnore == 0) */
  readonly npig: Int32Array;
  /** [numBlocks + 1] block b owns kept detections detStart[b] .. detStart[b+1]-1 */
  readonly detStart: Int32Array;
  /** [nKept] scores, highest first within a block (stable) */
  readonly detScore: Float64Array;
  /** [nKept] position of each kept detection in the input list (DetectionSet or evaluateImage's dets) */
  readonly detIndex: Int32Array;
  /** [nKept * A * T] state at (area range a, threshold t): index (d * A + a) * T + t; DET_FP / DET_TP / DET_IGNORED */
  readonly detState: Uint8Array;
  /**
   * [nKept * A] the state a detection has at every threshold of area range a, or
   * DET_MIXED when it differs between thresholds (most detections are FP or ignored
   * throughout, which lets accumulate skip their T states).
   */
  readonly detUniform: Uint8Array;
}

export interface Evaluation {
  readonly setup: EvalSetup;
  /** one per evaluated image that has GT or detections in the evaluated categories, ascending image id */
  readonly images: ImageEval[];
}

/** Growable work buffers, reused across (image, category) blocks. */
class Scratch {
  ord = new Int32Array(256);
  iou = new Float64Array(1024);
  /** kept detections whose best IoU reaches the lowest threshold */
  cand = new Int32Array(256);
  gIdx = new Int32Array(64);
  gOrd = new Int32Array(64);
  gIgnore = new Uint8Array(64);
  matched = new Uint8Array(64);

  ensureDets(n: number): void {
    if (this.ord.length < n) this.ord = new Int32Array(Math.max(n, 2 * this.ord.length));
  }

  ensureGts(n: number): void {
    if (this.gIdx.length < n) {
      const len = Math.max(n, 2 * this.gIdx.length);
      this.gIdx = new Int32Array(len);
      this.gOrd = new Int32Array(len);
      this.gIgnore = new Uint8Array(len);
      this.matched = new Uint8Array(len);
    }
  }

  ensureIou(n: number, dets: number): void {
    if (this.iou.length < n) this.iou = new Float64Array(Math.max(n, 2 * this.iou.length));
    if (this.cand.length < dets) this.cand = new Int32Array(Math.max(dets, 2 * this.cand.length));
  }
}

/** Box arrays the kernel reads; `cat` holds k per element (-1: not evaluated). */
interface GtArrays { box: Float64Array; area: Float64Array; crowd: Uint8Array; cat: Int32Array }
interface DetArrays { box: Float64Array; area: Float64Array; score: Float64Array; cat: Int32Array }

/**
 * Evaluates one image. gtOrder[g0..g1) and dtOrder[d0..d1) list the image's GT and
 * detections grouped by ascending k, each group in input order.
 */
function evaluateImageRanges(
  setup: EvalSetup,
  imageId: number,
  gt: GtArrays, gtOrder: Int32Array, g0: number, g1: number,
  dt: DetArrays, dtOrder: Int32Array, d0: number, d1: number,
  scratch: Scratch,
  alloc: Allocator,
): ImageEval {
  const { A, T, maxDet, areaRng, iouThrs } = setup;
  const AT = A * T;
  // the lowest effective threshold: a detection whose best IoU is below it never matches
  let minThr = IOU_CAP;
  for (let t = 0; t < T; t++) if (iouThrs[t] < minThr) minThr = iouThrs[t];

  // Pass 1: blocks and kept detections, to size the output once.
  let numBlocks = 0;
  let nKept = 0;
  {
    let gi = g0;
    let di = d0;
    while (gi < g1 || di < d1) {
      const cg = gi < g1 ? gt.cat[gtOrder[gi]] : 0x7fffffff;
      const cd = di < d1 ? dt.cat[dtOrder[di]] : 0x7fffffff;
      const c = cg < cd ? cg : cd;
      while (gi < g1 && gt.cat[gtOrder[gi]] === c) gi++;
      const ds = di;
      while (di < d1 && dt.cat[dtOrder[di]] === c) di++;
      numBlocks++;
      nKept += Math.min(di - ds, maxDet);
    }
  }

  const cat = alloc.i32(numBlocks);
  const numGt = alloc.i32(numBlocks);
  const numDets = alloc.i32(numBlocks);
  const npig = alloc.i32(numBlocks * A);
  const detStart = alloc.i32(numBlocks + 1);
  const detScore = alloc.f64(nKept);
  const detIndex = alloc.i32(nKept);
  const detState = alloc.u8(nKept * AT);
  const detUniform = alloc.u8(nKept * A);

  let gi = g0;
  let di = d0;
  let out = 0;
  for (let b = 0; b < numBlocks; b++) {
    const cg = gi < g1 ? gt.cat[gtOrder[gi]] : 0x7fffffff;
    const cd = di < d1 ? dt.cat[dtOrder[di]] : 0x7fffffff;
    const c = cg < cd ? cg : cd;
    const gs = gi;
    while (gi < g1 && gt.cat[gtOrder[gi]] === c) gi++;
    const ds = di;
    while (di < d1 && dt.cat[dtOrder[di]] === c) di++;
    const G = gi - gs;
    const D = di - ds;
    const Dc = Math.min(D, maxDet);
    cat[b] = c;
    let counted = G;
    for (let j = gs; j < gi; j++) if (gt.crowd[gtOrder[j]] === IGNORE_REGION) counted--;
    numGt[b] = counted;
    numDets[b] = D;
    detStart[b] = out;

    // 1. detections by score, highest first, stable; keep maxDet
    scratch.ensureDets(D);
    const ord = scratch.ord;
    for (let i = 0; i < D; i++) ord[i] = dtOrder[ds + i];
    sortByScoreDesc(ord, D, dt.score);

    // Every kept detection starts as unmatched: FP, or ignored when its own area is out
    // of range; the matching below overwrites the (a, t) where it gets a GT.
    for (let i = 0; i < Dc; i++) {
      const d = ord[i];
      detScore[out + i] = dt.score[d];
      detIndex[out + i] = d;
      const da = dt.area[d];
      const sBase = (out + i) * AT;
      const uBase = (out + i) * A;
      // the arrays start zero-filled and DET_FP is 0: only ignored ones need writing
      for (let a = 0; a < A; a++) {
        if (da < areaRng[2 * a] || da > areaRng[2 * a + 1]) {
          for (let t = 0; t < T; t++) detState[sBase + a * T + t] = DET_IGNORED;
          detUniform[uBase + a] = DET_IGNORED;
        }
      }
    }
    if (G === 0) {
      out += Dc;
      continue;
    }

    scratch.ensureGts(G);
    const gIdx = scratch.gIdx;
    for (let j = 0; j < G; j++) gIdx[j] = gtOrder[gs + j];
    for (let a = 0; a < A; a++) {
      const lo = areaRng[2 * a];
      const hi = areaRng[2 * a + 1];
      let nNon = 0;
      for (let j = 0; j < G; j++) {
        const g = gIdx[j];
        if (!(gt.crowd[g] !== 0 || gt.area[g] < lo || gt.area[g] > hi)) nNon++;
      }
      npig[b * A + a] = nNon;
    }

    // 2. IoU [Dc x G] in input GT order (maskApi.c bbIou); only detections reaching
    // minThr with some GT can match ("candidates"), the rest keep their unmatched state
    scratch.ensureIou(Dc * G, Dc);
    const iou = scratch.iou;
    const cand = scratch.cand;
    const gBox = gt.box;
    const dBox = dt.box;
    let nCand = 0;
    for (let i = 0; i < Dc; i++) {
      const d = ord[i];
      const dx = dBox[4 * d], dy = dBox[4 * d + 1], dw = dBox[4 * d + 2], dh = dBox[4 * d + 3];
      const da = dw * dh;
      let best = 0;
      for (let j = 0; j < G; j++) {
        const g = gIdx[j];
        const gx = gBox[4 * g], gy = gBox[4 * g + 1], gw = gBox[4 * g + 2], gh = gBox[4 * g + 3];
        let v = 0;
        const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
        if (w > 0) {
          const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
          if (h > 0) {
            const inter = w * h;
            v = inter / (gt.crowd[g] !== 0 ? da : da + gw * gh - inter);
          }
        }
        iou[i * G + j] = v;
        if (v > best) best = v;
      }
      if (best >= minThr) cand[nCand++] = i;
    }
    if (nCand === 0) {
      out += Dc;
      continue;
    }

    // 3. greedy matching per area range and threshold
    const gOrd = scratch.gOrd;
    const gIg = scratch.gIgnore; // by sorted position
    const matched = scratch.matched; // by sorted position
    for (let a = 0; a < A; a++) {
      const lo = areaRng[2 * a];
      const hi = areaRng[2 * a + 1];
      // GT sorted non-ignored first, stable
      let nNon = 0;
      for (let j = 0; j < G; j++) {
        const g = gIdx[j];
        if (!(gt.crowd[g] !== 0 || gt.area[g] < lo || gt.area[g] > hi)) gOrd[nNon++] = j;
      }
      let p = nNon;
      for (let j = 0; j < G; j++) {
        const g = gIdx[j];
        if (gt.crowd[g] !== 0 || gt.area[g] < lo || gt.area[g] > hi) gOrd[p++] = j;
      }
      for (let s = 0; s < G; s++) gIg[s] = s < nNon ? 0 : 1;

      for (let t = 0; t < T; t++) {
        const thr = iouThrs[t] < IOU_CAP ? iouThrs[t] : IOU_CAP;
        for (let s = 0; s < G; s++) matched[s] = 0;
        for (let ci = 0; ci < nCand; ci++) {
          const i = cand[ci];
          let best = -1;
          let bestIou = thr;
          const row = i * G;
          for (let s = 0; s < G; s++) {
            const j = gOrd[s];
            if (matched[s] !== 0 && gt.crowd[gIdx[j]] === 0) continue;
            if (best > -1 && gIg[best] === 0 && gIg[s] === 1) break;
            const v = iou[row + j];
            if (v < bestIou) continue;
            bestIou = v;
            best = s;
          }
          if (best === -1) continue;
          matched[best] = 1;
          detState[(out + i) * AT + a * T + t] = gIg[best] === 1 ? DET_IGNORED : DET_TP;
        }
      }
      for (let ci = 0; ci < nCand; ci++) {
        const i = cand[ci];
        const base = (out + i) * AT + a * T;
        const first = detState[base];
        let u = first;
        for (let t = 1; t < T; t++) {
          if (detState[base + t] !== first) {
            u = DET_MIXED;
            break;
          }
        }
        detUniform[(out + i) * A + a] = u;
      }
    }
    out += Dc;
  }
  detStart[numBlocks] = out;
  return { imageId, numBlocks, cat, numGt, numDets, npig, detStart, detScore, detIndex, detState, detUniform };
}

/** Where evaluateImageRanges takes its output arrays from (zero-filled, which it relies on). */
interface Allocator {
  i32(n: number): Int32Array;
  f64(n: number): Float64Array;
  u8(n: number): Uint8Array;
}

const plainAllocator: Allocator = {
  i32: (n) => new Int32Array(n),
  f64: (n) => new Float64Array(n),
  u8: (n) => new Uint8Array(n),
};

/**
 * Carves zero-filled arrays out of large buffers: evaluating thousands of images
 * would otherwise allocate tens of thousands of small ArrayBuffers, whose allocation
 * and collection cost more than the matching itself.
 */
class SlabAllocator implements Allocator {
  private buf = new ArrayBuffer(0);
  private off = 0;

  constructor(private readonly chunkBytes = 1 << 22) {}

  private take(bytes: number, align: number): number {
    let off = Math.ceil(this.off / align) * align;
    if (off + bytes > this.buf.byteLength) {
      this.buf = new ArrayBuffer(Math.max(this.chunkBytes, bytes));
      off = 0;
    }
    this.off = off + bytes;
    return off;
  }

  i32(n: number): Int32Array {
    const off = this.take(4 * n, 8);
    return new Int32Array(this.buf, off, n);
  }

  f64(n: number): Float64Array {
    const off = this.take(8 * n, 8);
    return new Float64Array(this.buf, off, n);
  }

  u8(n: number): Uint8Array {
    const off = this.take(n, 8);
    return new Uint8Array(this.buf, off, n);
  }
}

/**
 * Stable two-pass counting sort of the evaluated elements by (image position, k):
 * returns the element order and per-image start offsets.
 */
function bucketByImageAndCategory(
  n: number, imgPos: Int32Array, cat: Int32Array, I: number, K: number,
): { order: Int32Array; start: Int32Array } {
  const catCount = new Int32Array(K + 1);
  let valid = 0;
  for (let i = 0; i < n; i++) {
    if (imgPos[i] >= 0 && cat[i] >= 0) {
      catCount[cat[i] + 1]++;
      valid++;
    }
  }
  for (let k = 0; k < K; k++) catCount[k + 1] += catCount[k];
  const byCat = new Int32Array(valid);
  for (let i = 0; i < n; i++) {
    if (imgPos[i] >= 0 && cat[i] >= 0) byCat[catCount[cat[i]]++] = i;
  }
  const start = new Int32Array(I + 1);
  for (let j = 0; j < valid; j++) start[imgPos[byCat[j]] + 1]++;
  for (let im = 0; im < I; im++) start[im + 1] += start[im];
  const cursor = start.slice(0, I);
  const order = new Int32Array(valid);
  for (let j = 0; j < valid; j++) {
    const e = byCat[j];
    order[cursor[imgPos[e]]++] = e;
  }
  return { order, start };
}

function positions(
  setup: EvalSetup, n: number, imageId: Float64Array, categoryId: Float64Array,
): { imgPos: Int32Array; cat: Int32Array } {
  const imgPos = new Int32Array(n);
  const cat = new Int32Array(n);
  // consecutive elements usually share the image, so cache the last lookup
  let lastId = NaN;
  let lastPos = -1;
  for (let i = 0; i < n; i++) {
    const id = imageId[i];
    if (id !== lastId) {
      lastId = id;
      lastPos = setup.imgIndex.get(id) ?? -1;
    }
    imgPos[i] = lastPos;
    cat[i] = setup.catIndex.get(categoryId[i]) ?? -1;
  }
  return { imgPos, cat };
}

/** COCOeval.evaluate(): every evaluated image, ascending id. */
export function evaluate(gt: GroundTruthIndex, dets: DetectionSet, params: Partial<EvalParams> | EvalSetup = {}): Evaluation {
  const setup = isSetup(params) ? params : createEvalSetup(gt, params);
  const I = setup.imgIds.length;
  const gp = positions(setup, gt.n, gt.imageId, gt.categoryId);
  const dp = positions(setup, dets.n, dets.imageId, dets.categoryId);
  const gb = bucketByImageAndCategory(gt.n, gp.imgPos, gp.cat, I, setup.K);
  const db = bucketByImageAndCategory(dets.n, dp.imgPos, dp.cat, I, setup.K);
  const gArr: GtArrays = { box: gt.box, area: gt.area, crowd: gt.crowd, cat: gp.cat };
  const dArr: DetArrays = { box: dets.box, area: dets.area, score: dets.score, cat: dp.cat };
  const scratch = new Scratch();
  const alloc = new SlabAllocator();
  const images: ImageEval[] = [];
  for (let im = 0; im < I; im++) {
    const g0 = gb.start[im], g1 = gb.start[im + 1];
    const d0 = db.start[im], d1 = db.start[im + 1];
    if (g0 === g1 && d0 === d1) continue;
    images.push(evaluateImageRanges(setup, setup.imgIds[im], gArr, gb.order, g0, g1, dArr, db.order, d0, d1, scratch, alloc));
  }
  return { setup, images };
}

function isSetup(p: Partial<EvalParams> | EvalSetup): p is EvalSetup {
  return 'catIndex' in p && p.catIndex instanceof Map;
}

let sharedScratch: Scratch | null = null;

/**
 * evaluateImg for one image, all categories: `gts` are the image's GT annotations,
 * `dets` its detections (any order; their input order decides score ties). Entries of
 * categories outside setup.catIds are dropped; an image_id other than imageId throws.
 * ImageEval.detIndex refers to positions in `dets`.
 */
export function evaluateImage(
  setup: EvalSetup, imageId: number, gts: readonly GtAnnotation[], dets: readonly CocoDetection[],
): ImageEval {
  const G = gts.length;
  const D = dets.length;
  const gBox = new Float64Array(4 * G);
  const gArea = new Float64Array(G);
  const gCrowd = new Uint8Array(G);
  const gCat = new Int32Array(G);
  for (let i = 0; i < G; i++) {
    const a = gts[i];
    if (a.image_id !== imageId) throw new Error(`evaluateImage(${imageId}): GT annotation ${i} has image_id ${a.image_id}`);
    readBox(a.bbox, gBox, i, `GT annotation ${i}`);
    if (!isFiniteNumber(a.area)) throw new Error(`GT annotation ${i}: area is not a finite number`);
    gArea[i] = a.area;
    gCrowd[i] = crowdCode(a);
    gCat[i] = setup.catIndex.get(a.category_id) ?? -1;
  }
  const dBox = new Float64Array(4 * D);
  const dArea = new Float64Array(D);
  const dScore = new Float64Array(D);
  const dCat = new Int32Array(D);
  for (let i = 0; i < D; i++) {
    const d = dets[i];
    if (d.image_id !== imageId) throw new Error(`evaluateImage(${imageId}): detection ${i} has image_id ${d.image_id}`);
    if (!isFiniteNumber(d.score)) throw new Error(`detection ${i}: score is not a finite number (${String(d.score)})`);
    readBox(d.bbox, dBox, i, `detection ${i}`);
    dArea[i] = dBox[4 * i + 2] * dBox[4 * i + 3];
    dScore[i] = d.score;
    dCat[i] = setup.catIndex.get(d.category_id) ?? -1;
  }
  const gOrder = orderByCategory(gCat);
  const dOrder = orderByCategory(dCat);
  sharedScratch ??= new Scratch();
  return evaluateImageRanges(
    setup, imageId,
    { box: gBox, area: gArea, crowd: gCrowd, cat: gCat }, gOrder, 0, gOrder.length,
    { box: dBox, area: dArea, score: dScore, cat: dCat }, dOrder, 0, dOrder.length,
    sharedScratch,
    plainAllocator,
  );
}

/** Indices with cat >= 0, stably sorted by cat. */
function orderByCategory(cat: Int32Array): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < cat.length; i++) if (cat[i] >= 0) idx.push(i);
  idx.sort((x, y) => cat[x] - cat[y] || x - y);
  return Int32Array.from(idx);
}

// ---------------------------------------------------------------------------------
// accumulate

export interface Accumulation {
  readonly setup: EvalSetup;
  /** [T, R, K, A, M] */
  readonly counts: readonly [number, number, number, number, number];
  /** [T*R*K*A*M], index (((t*R + r)*K + k)*A + a)*M + m; -1 where k has no non-ignored GT in range a */
  readonly precision: Float64Array;
  /** [T*K*A*M], index ((t*K + k)*A + a)*M + m; -1 likewise */
  readonly recall: Float64Array;
  /** [T*R*K*A*M] the score at which each precision entry is reached; -1 likewise */
  readonly scores: Float64Array;
  /** [K] GT per category (crowd included) over the accumulated images */
  readonly numGt: Int32Array;
  /** [K] detections per category before the maxDets cut over the accumulated images */
  readonly numDets: Int32Array;
}

export function precisionIndex(c: Accumulation['counts'], t: number, r: number, k: number, a: number, m: number): number {
  return (((t * c[1] + r) * c[2] + k) * c[3] + a) * c[4] + m;
}

export function recallIndex(c: Accumulation['counts'], t: number, k: number, a: number, m: number): number {
  return ((t * c[2] + k) * c[3] + a) * c[4] + m;
}

/**
 * COCOeval.accumulate() over per-image results. Images are ordered by id (stable, so
 * repeated ids keep the given order); each image counts once per occurrence.
 */
export function accumulate(images: readonly ImageEval[], setup: EvalSetup): Accumulation {
  const { T, R, K, A, M } = setup;
  const AT = A * T;
  const counts = [T, R, K, A, M] as const;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const numGt = new Int32Array(K);
  const numDets = new Int32Array(K);

  const imgOrder = images.map((_, i) => i).sort((x, y) => images[x].imageId - images[y].imageId || x - y);

  // blocks of each category, in image order: pairs (image, block)
  const blocks: number[][] = Array.from({ length: K }, () => []);
  const total = new Int32Array(K);
  for (const ii of imgOrder) {
    const e = images[ii];
    if (e.detState.length !== e.detScore.length * AT || e.detUniform.length !== e.detScore.length * A || e.npig.length !== e.numBlocks * A) {
      throw new Error(`accumulate: image ${e.imageId} was evaluated with other parameters`);
    }
    for (let b = 0; b < e.numBlocks; b++) {
      const k = e.cat[b];
      if (k < 0 || k >= K) throw new Error(`accumulate: image ${e.imageId} has category index ${k} outside the setup`);
      blocks[k].push(ii, b);
      total[k] += e.detStart[b + 1] - e.detStart[b];
    }
  }

  const out: AccumulationArrays = { precision, recall, scores };
  const work = new AccumulateScratch();
  for (let k = 0; k < K; k++) {
    const list = blocks[k];
    if (list.length === 0) continue;
    const cat = gatherCategory(images, list, total[k], A, AT);
    numGt[k] = cat.numGt;
    numDets[k] = cat.numDets;
    accumulateCategory(setup, k, cat, work, out);
  }
  return { setup, counts, precision, recall, scores, numGt, numDets };
}

interface AccumulationArrays { precision: Float64Array; recall: Float64Array; scores: Float64Array }

/** One category's detections over all images, in score order (stable over image order, then per-image order). */
interface SortedCategory {
  n: number;
  score: Float64Array;
  /** position of the detection in its image's score-sorted list (the maxDets cut) */
  rank: Int32Array;
  /** [n * A] detUniform */
  uniform: Uint8Array;
  /** [n] row in `mixed` of a detection with some DET_MIXED area range, else -1 */
  mixedRow: Int32Array;
  /** [rows * A * T] detState of those detections */
  mixed: Uint8Array;
  /** [A] */
  npig: Int32Array;
  numGt: number;
  numDets: number;
}

function gatherCategory(images: readonly ImageEval[], list: readonly number[], n: number, A: number, AT: number): SortedCategory {
  // Read every image once, sequentially, into arrays in concatenation order; reading the
  // images in score order instead would jump between thousands of small arrays.
  const cScore = new Float64Array(n);
  const cRank = new Int32Array(n);
  const cUniform = new Uint8Array(n * A);
  const cMixedRow = new Int32Array(n);
  const npig = new Int32Array(A);
  let numGt = 0;
  let numDets = 0;
  let nMixed = 0;
  let p = 0;
  for (let q = 0; q < list.length; q += 2) {
    const e = images[list[q]];
    const b = list[q + 1];
    const s0 = e.detStart[b];
    const s1 = e.detStart[b + 1];
    const eScore = e.detScore;
    const eUni = e.detUniform;
    for (let d = s0; d < s1; d++, p++) {
      cScore[p] = eScore[d];
      cRank[p] = d - s0;
      let mixed = false;
      for (let a = 0; a < A; a++) {
        const u = eUni[d * A + a];
        cUniform[p * A + a] = u;
        if (u === DET_MIXED) mixed = true;
      }
      cMixedRow[p] = mixed ? nMixed++ : -1;
    }
    for (let a = 0; a < A; a++) npig[a] += e.npig[b * A + a];
    numGt += e.numGt[b];
    numDets += e.numDets[b];
  }
  const mixed = new Uint8Array(nMixed * AT);
  p = 0;
  for (let q = 0; q < list.length; q += 2) {
    const e = images[list[q]];
    const b = list[q + 1];
    const eState = e.detState;
    for (let d = e.detStart[b], s1 = e.detStart[b + 1]; d < s1; d++, p++) {
      const row = cMixedRow[p];
      if (row >= 0) for (let j = 0; j < AT; j++) mixed[row * AT + j] = eState[d * AT + j];
    }
  }

  // the concatenation order (image order, then per-image order) breaks score ties
  const perm = stableOrderByScoreDesc(cScore, n);
  const score = new Float64Array(n);
  const rank = new Int32Array(n);
  const uniform = new Uint8Array(n * A);
  const mixedRow = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = perm[i];
    score[i] = cScore[c];
    rank[i] = cRank[c];
    mixedRow[i] = cMixedRow[c];
    for (let a = 0; a < A; a++) uniform[i * A + a] = cUniform[c * A + a];
  }
  return { n, score, rank, uniform, mixedRow, mixed, npig, numGt, numDets };
}

class AccumulateScratch {
  evIdx = new Int32Array(0);
  evPr = new Float64Array(0);
  tp = new Int32Array(0);
  fp = new Int32Array(0);

  ensure(T: number, cap: number): void {
    if (this.evIdx.length < T * cap) {
      this.evIdx = new Int32Array(T * cap);
      this.evPr = new Float64Array(T * cap);
    }
    if (this.tp.length < T) {
      this.tp = new Int32Array(T);
      this.fp = new Int32Array(T);
    }
  }
}

/**
 * accumulate() for one category. pycocotools builds rc and pr at every position of the
 * sorted detections, makes pr non-increasing from the right and reads it at
 * searchsorted(rc, recThr, 'left'). rc rises only at TPs and pr between two TPs never
 * exceeds pr at the earlier one, so the same numbers come from the TP positions alone
 * ("events"), with the same divisions on the same integer counts.
 */
function accumulateCategory(setup: EvalSetup, k: number, c: SortedCategory, w: AccumulateScratch, out: AccumulationArrays): void {
  const { T, R, K, A, M, recThrs, maxDets } = setup;
  const AT = A * T;
  const { n, rank, uniform, score, mixedRow, mixed } = c;
  for (let a = 0; a < A; a++) {
    const np = c.npig[a];
    if (np === 0) continue; // no non-ignored GT: precision and recall stay -1
    // every TP holds its own non-ignored GT, so a threshold has at most np events
    w.ensure(T, np);
    const { evIdx, evPr, tp, fp } = w;
    for (let m = 0; m < M; m++) {
      const maxDet = maxDets[m];
      tp.fill(0, 0, T);
      fp.fill(0, 0, T);
      let fpAll = 0; // FPs at every threshold, kept apart to touch T counters only for mixed detections
      let nd = 0;
      let first = -1; // sorted index of position 0
      for (let i = 0; i < n; i++) {
        if (rank[i] >= maxDet) continue;
        if (nd === 0) first = i;
        nd++;
        const u = uniform[i * A + a];
        if (u === DET_FP) {
          fpAll++;
        } else if (u === DET_IGNORED) {
          // neither TP nor FP
        } else {
          const base = mixedRow[i] * AT + a * T;
          for (let t = 0; t < T; t++) {
            const st = u === DET_MIXED ? mixed[base + t] : u;
            if (st === DET_TP) {
              const e = t * np + tp[t];
              tp[t]++;
              evIdx[e] = i;
              evPr[e] = tp[t] / (fpAll + fp[t] + tp[t] + EPS);
            } else if (st === DET_FP) {
              fp[t]++;
            }
          }
        }
      }
      for (let t = 0; t < T; t++) {
        const ne = tp[t];
        const ev = t * np;
        out.recall[((t * K + k) * A + a) * M + m] = nd > 0 ? ne / np : 0;
        for (let e = ne - 2; e >= 0; e--) if (evPr[ev + e + 1] > evPr[ev + e]) evPr[ev + e] = evPr[ev + e + 1];
        const rc0 = ne > 0 && evIdx[ev] === first ? 1 / np : 0;
        let r = 0;
        for (; r < R && nd > 0; r++) {
          const thr = recThrs[r];
          let i: number;
          let q: number;
          if (rc0 >= thr) {
            // searchsorted gives position 0; its interpolated precision is the max over all TPs (pr = 0 before the first)
            i = first;
            q = ne > 0 ? evPr[ev] : 0;
          } else {
            // the first event e with rc = (e + 1) / np >= thr
            let lo = 0;
            let hi = ne;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if ((mid + 1) / np < thr) lo = mid + 1;
              else hi = mid;
            }
            if (lo >= ne) break;
            i = evIdx[ev + lo];
            q = evPr[ev + lo];
          }
          const idx = (((t * R + r) * K + k) * A + a) * M + m;
          out.precision[idx] = q;
          out.scores[idx] = score[i];
        }
        for (; r < R; r++) {
          const idx = (((t * R + r) * K + k) * A + a) * M + m;
          out.precision[idx] = 0;
          out.scores[idx] = 0;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------
// summarize

const STAT_KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

function meanAboveMinusOne(values: Float64Array, n: number): number | null {
  let c = 0;
  for (let i = 0; i < n; i++) if (values[i] > -1) values[c++] = values[i];
  return c === 0 ? null : numpyMean(values, c);
}

/**
 * pycocotools' _summarize: mean of the selected entries > -1, -1 when none.
 * `ap` selects precision (else recall); iouThr null = all thresholds.
 */
export function summarizeOne(acc: Accumulation, ap: boolean, iouThr: number | null, areaLbl: string, maxDets: number | undefined): number {
  const { setup } = acc;
  const { T, R, K, A, M } = setup;
  const a = setup.areaRngLbl.indexOf(areaLbl);
  const m = maxDets === undefined ? -1 : setup.maxDets.indexOf(maxDets);
  if (a < 0 || m < 0) return -1;
  const ts: number[] = [];
  for (let t = 0; t < T; t++) if (iouThr === null || setup.iouThrs[t] === iouThr) ts.push(t);
  // C order of the numpy selection: t, (r,) k
  const buf = new Float64Array(ts.length * (ap ? R : 1) * K);
  let n = 0;
  for (const t of ts) {
    if (ap) {
      for (let r = 0; r < R; r++) for (let k = 0; k < K; k++) buf[n++] = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
    } else {
      for (let k = 0; k < K; k++) buf[n++] = acc.recall[((t * K + k) * A + a) * M + m];
    }
  }
  return meanAboveMinusOne(buf, n) ?? -1;
}

/** COCOeval.summarize() plus per-category AP / AP50 (area 'all', maxDets 100). */
export function summarize(acc: Accumulation): CocoEvalResult {
  const { setup } = acc;
  const md = setup.maxDets;
  const statsArray = [
    summarizeOne(acc, true, null, 'all', 100),
    summarizeOne(acc, true, 0.5, 'all', md[2]),
    summarizeOne(acc, true, 0.75, 'all', md[2]),
    summarizeOne(acc, true, null, 'small', md[2]),
    summarizeOne(acc, true, null, 'medium', md[2]),
    summarizeOne(acc, true, null, 'large', md[2]),
    summarizeOne(acc, false, null, 'all', md[0]),
    summarizeOne(acc, false, null, 'all', md[1]),
    summarizeOne(acc, false, null, 'all', md[2]),
    summarizeOne(acc, false, null, 'small', md[2]),
    summarizeOne(acc, false, null, 'medium', md[2]),
    summarizeOne(acc, false, null, 'large', md[2]),
  ];
  const stats = Object.fromEntries(STAT_KEYS.map((key, i) => [key, statsArray[i]])) as unknown as CocoStats;
  return { stats, statsArray, per_category: perCategory(acc) };
}

/** AP and AP50 of every evaluated category at area 'all', maxDets 100. */
export function perCategory(acc: Accumulation): PerCategoryResult[] {
  const { setup } = acc;
  const { T, R, K, A, M } = setup;
  const a = setup.areaRngLbl.indexOf('all');
  const m = setup.maxDets.indexOf(100);
  let t50 = -1;
  for (let t = 0; t < T; t++) if (setup.iouThrs[t] === 0.5) { t50 = t; break; }
  const buf = new Float64Array(T * R);
  const out: PerCategoryResult[] = [];
  for (let k = 0; k < K; k++) {
    let AP: number | null = null;
    let AP50: number | null = null;
    if (a >= 0 && m >= 0) {
      let n = 0;
      for (let t = 0; t < T; t++) for (let r = 0; r < R; r++) buf[n++] = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
      AP = meanAboveMinusOne(buf, n);
      if (t50 >= 0) {
        n = 0;
        for (let r = 0; r < R; r++) buf[n++] = acc.precision[(((t50 * R + r) * K + k) * A + a) * M + m];
        AP50 = meanAboveMinusOne(buf, n);
      }
    }
    out.push({ id: setup.catIds[k], name: setup.catNames[k], AP, AP50, num_gt: acc.numGt[k], num_dets: acc.numDets[k] });
  }
  return out;
}

/** The whole pipeline: loadRes, evaluate, accumulate, summarize. */
export function evaluateCoco(gt: CocoGroundTruth, dets: CocoDetection[], params?: Partial<EvalParams>): CocoEvalResult {
  const gtIndex = indexGroundTruth(gt);
  const detSet = loadResults(gtIndex, dets);
  const ev = evaluate(gtIndex, detSet, params ?? {});
  return summarize(accumulate(ev.images, ev.setup));
}
