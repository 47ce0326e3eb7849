/**
 * The compact match record of one audit cell (model x condition): what any
 * re-accumulation of the cell's AP needs, computed ONCE from the evaluator's per-image
 * results, so a bootstrap re-weights images instead of re-running the matching.
 *
 * Input: the cell's ImageEvals (cocoeval evaluateImage / evaluate, one per image with GT
 * or detections; images without either may be absent) and their EvalSetup, whose imgIds
 * must be ALL the audit's images (or the shard's): they are the bootstrap's population,
 * and every cell of an audit must list the same ones (analyseAudit refuses others). Only what
 * summarize()'s AP and the per-category AP / AP50 read is kept: area range 'all' and
 * maxDets 100 (the literal 100 of pycocotools' AP; stats.AP50 uses maxDets[2], which is
 * 100 under the default [1, 10, 100]).
 *
 * Content (K categories = setup.catIds, N images = setup.imgIds, T IoU thresholds):
 *   detections, grouped by category k (catStart), each group in pycocotools' accumulate
 *   order for one image set: score descending, equal scores by image id, then by the
 *   detection's rank in its image (the image's stable score sort). Only the first 100
 *   per (image, category) are kept, and detections that are ignored at every threshold
 *   (matched to crowd / ignore regions throughout) are dropped: they take part in no TP
 *   or FP count and so in no precision value. Per detection: score (f64), image index
 *   into imageIds (u32), and two T-bit masks (u16): bit t of tpMask set = TP at
 *   threshold t, of fpMask = FP at t, neither = ignored at t.
 *   GT, per category: (image index, npig) for every image with npig > 0, npig = the
 *   image's GT of k that are not ignored in area range 'all' (pycocotools' gtIgnore == 0).
 *   numGt / numDets per category: GT (crowd included) and detections before the maxDets
 *   cut, over all images (the evaluator's per_category num_gt / num_dets).
 *   A global score order over all categories is not kept: accumulate works per
 *   category, and the per-category order is the global order restricted to it.
 *
 * Why this suffices for any multiset of images (a bootstrap resample): accumulate's
 * order on a multiset is images by id, copies of an image consecutive, then score-sorted
 * stably; restricted to one category that is the stored order with each image's run of
 * equal-score detections repeated once per copy (weighted-ap.ts relies on exactly this).
 *
 * Byte serialisation (one blob per cell; all numbers little-endian; total length exact):
 *   header, 48 bytes:
 *     0  'OCMR' (4 ASCII bytes)      4  u16 format version = 1
 *     6  u16 T                       8  u16 R
 *     10 u16 0 (reserved)            12 u32 K
 *     16 u32 N                       20 u32 D (detections)
 *     24 u32 P (npig entries)        28 u32 maxDets (100)
 *     32 f64 area range lo           40 f64 area range hi
 *   then, in this order:
 *     f64 iouThrs[T], recThrs[R], catIds[K], imageIds[N], score[D]
 *     u32 catStart[K+1], image[D], gtStart[K+1], gtImage[P], gtCount[P], numGt[K], numDets[K]
 *     u16 tpMask[D], fpMask[D]
 *   Size = 48 + 8 (T + R + K + N) + 4 (4K + 2) + 8 P + 16 D bytes: 16 bytes per detection.
 *
 * Shards: mergeCellMatches rebuilds the record of the union of disjoint image sets
 * (each shard scored with its own setup.imgIds) exactly as buildCellMatches would on the
 * whole: detections are merged by (score descending, image id ascending), and an
 * image's equal-score detections, all from one shard, keep their order.
 */
import { DET_FP, DET_IGNORED, DET_MIXED, DET_TP, type EvalSetup, type ImageEval } from '../cocoeval/cocoeval';
import { stableOrderByScoreDesc } from '../cocoeval/sort';
import { badInput } from '../../shared/errors';

/** The AP convention of the record (summarize's AP: area 'all', maxDets 100). */
export const RECORD_MAX_DETS = 100;
export const RECORD_AREA_LABEL = 'all';
/** Masks are u16: at most 16 IoU thresholds (COCO has 10). */
export const MAX_THRESHOLDS = 16;

const MAGIC = [0x4f, 0x43, 0x4d, 0x52]; // 'OCMR'
const FORMAT_VERSION = 1;
const HEADER_BYTES = 48;

export interface CellMatches {
  readonly T: number;
  readonly R: number;
  readonly K: number;
  readonly N: number;
  readonly D: number;
  readonly P: number;
  readonly maxDets: number;
  readonly areaRange: readonly [number, number];
  readonly iouThrs: Float64Array;
  readonly recThrs: Float64Array;
  /** [K] evaluated category ids, ascending (setup.catIds) */
  readonly catIds: Float64Array;
  /** [N] evaluated image ids, ascending (setup.imgIds) */
  readonly imageIds: Float64Array;
  /** [K+1] detections of category k are catStart[k] .. catStart[k+1]-1 */
  readonly catStart: Uint32Array;
  /** [D] */
  readonly score: Float64Array;
  /** [D] index into imageIds */
  readonly image: Uint32Array;
  /** [D] bit t: TP at iouThrs[t] */
  readonly tpMask: Uint16Array;
  /** [D] bit t: FP at iouThrs[t] */
  readonly fpMask: Uint16Array;
  /** [K+1] npig entries of category k are gtStart[k] .. gtStart[k+1]-1, ascending image */
  readonly gtStart: Uint32Array;
  /** [P] index into imageIds */
  readonly gtImage: Uint32Array;
  /** [P] non-ignored GT of the category on that image, > 0 */
  readonly gtCount: Uint32Array;
  /** [K] GT of the category, crowd included */
  readonly numGt: Uint32Array;
  /** [K] detections of the category before the maxDets cut */
  readonly numDets: Uint32Array;
}

/** Bytes of a record's serialisation. */
export function serializedSize(r: Pick<CellMatches, 'T' | 'R' | 'K' | 'N' | 'D' | 'P'>): number {
  return HEADER_BYTES + 8 * (r.T + r.R + r.K + r.N) + 4 * (4 * r.K + 2) + 8 * r.P + 16 * r.D;
}

/** Bytes per detection in the serialisation (the rest is per image, category and GT entry). */
export const BYTES_PER_DETECTION = 16;

// ---------------------------------------------------------------------------------
// Build

/** The record of one cell from its per-image evaluations. */
export function buildCellMatches(setup: EvalSetup, images: readonly ImageEval[]): CellMatches {
  const { A, T, K } = setup;
  const a = setup.areaRngLbl.indexOf(RECORD_AREA_LABEL);
  if (a < 0) throw new Error(`cell record: the evaluation has no '${RECORD_AREA_LABEL}' area range`);
  if (!setup.maxDets.includes(RECORD_MAX_DETS)) throw new Error(`cell record: the evaluation's maxDets lack ${RECORD_MAX_DETS}`);
  if (T > MAX_THRESHOLDS) throw new Error(`cell record: ${T} IoU thresholds, at most ${MAX_THRESHOLDS} supported`);
  for (let r = 1; r < setup.R; r++) {
    if (!(setup.recThrs[r] >= setup.recThrs[r - 1])) throw new Error('cell record: recall thresholds must ascend');
  }
  const AT = A * T;
  const N = setup.imgIds.length;

  // image order = ascending id = position in setup.imgIds
  const order = images.map((e, i) => {
    const pos = setup.imgIndex.get(e.imageId);
    if (pos === undefined) throw new Error(`cell record: image ${e.imageId} is not among the evaluation's images`);
    if (e.npig.length !== e.numBlocks * A || e.detState.length !== e.detScore.length * AT) {
      throw new Error(`cell record: image ${e.imageId} was evaluated with other parameters`);
    }
    return { e, pos, i };
  });
  order.sort((x, y) => x.pos - y.pos);
  for (let i = 1; i < order.length; i++) {
    if (order[i].pos === order[i - 1].pos) throw new Error(`cell record: image ${order[i].e.imageId} is given twice`);
  }

  const fullMask = (1 << T) - 1;
  const keep = (e: ImageEval, d: number, rank: number): boolean =>
    rank < RECORD_MAX_DETS && e.detUniform[d * A + a] !== DET_IGNORED;

  // pass 1: counts per category
  const detCount = new Uint32Array(K);
  const gtEntries = new Uint32Array(K);
  const numGt = new Uint32Array(K);
  const numDets = new Uint32Array(K);
  for (const { e } of order) {
    for (let b = 0; b < e.numBlocks; b++) {
      const k = e.cat[b];
      if (k < 0 || k >= K) throw new Error(`cell record: image ${e.imageId} has category index ${k} outside the setup`);
      const s0 = e.detStart[b];
      for (let d = s0; d < e.detStart[b + 1]; d++) if (keep(e, d, d - s0)) detCount[k]++;
      if (e.npig[b * A + a] > 0) gtEntries[k]++;
      numGt[k] += e.numGt[b];
      numDets[k] += e.numDets[b];
    }
  }
  const catStart = prefix(detCount);
  const gtStart = prefix(gtEntries);
  const D = catStart[K];
  const P = gtStart[K];

  // pass 2: fill in concatenation order (image order, then rank), category-major
  const cScore = new Float64Array(D);
  const cImage = new Uint32Array(D);
  const cTp = new Uint16Array(D);
  const cFp = new Uint16Array(D);
  const gtImage = new Uint32Array(P);
  const gtCount = new Uint32Array(P);
  const dCur = catStart.slice(0, K);
  const gCur = gtStart.slice(0, K);
  for (const { e, pos } of order) {
    for (let b = 0; b < e.numBlocks; b++) {
      const k = e.cat[b];
      const s0 = e.detStart[b];
      for (let d = s0; d < e.detStart[b + 1]; d++) {
        if (!keep(e, d, d - s0)) continue;
        const p = dCur[k]++;
        cScore[p] = e.detScore[d];
        cImage[p] = pos;
        const u = e.detUniform[d * A + a];
        if (u === DET_FP) cFp[p] = fullMask;
        else if (u === DET_TP) cTp[p] = fullMask;
        else if (u === DET_MIXED) {
          let tp = 0;
          let fp = 0;
          const base = d * AT + a * T;
          for (let t = 0; t < T; t++) {
            const st = e.detState[base + t];
            if (st === DET_TP) tp |= 1 << t;
            else if (st === DET_FP) fp |= 1 << t;
          }
          cTp[p] = tp;
          cFp[p] = fp;
        }
      }
      const np = e.npig[b * A + a];
      if (np > 0) {
        const g = gCur[k]++;
        gtImage[g] = pos;
        gtCount[g] = np;
      }
    }
  }

  // per category: stable sort by score, highest first (concatenation order breaks ties)
  const score = new Float64Array(D);
  const image = new Uint32Array(D);
  const tpMask = new Uint16Array(D);
  const fpMask = new Uint16Array(D);
  for (let k = 0; k < K; k++) {
    const s = catStart[k];
    const n = catStart[k + 1] - s;
    const perm = stableOrderByScoreDesc(cScore.subarray(s, s + n), n);
    for (let i = 0; i < n; i++) {
      const c = s + perm[i];
      score[s + i] = cScore[c];
      image[s + i] = cImage[c];
      tpMask[s + i] = cTp[c];
      fpMask[s + i] = cFp[c];
    }
  }

  return {
    T, R: setup.R, K, N, D, P,
    maxDets: RECORD_MAX_DETS,
    areaRange: [setup.areaRng[2 * a], setup.areaRng[2 * a + 1]],
    iouThrs: Float64Array.from(setup.iouThrs),
    recThrs: Float64Array.from(setup.recThrs),
    catIds: Float64Array.from(setup.catIds),
    imageIds: Float64Array.from(setup.imgIds),
    catStart, score, image, tpMask, fpMask, gtStart, gtImage, gtCount, numGt, numDets,
  };
}

function prefix(counts: Uint32Array): Uint32Array {
  const out = new Uint32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) out[i + 1] = out[i] + counts[i];
  return out;
}

// ---------------------------------------------------------------------------------
// Serialisation

export function serializeCellMatches(r: CellMatches): Uint8Array {
  const bytes = new Uint8Array(serializedSize(r));
  const v = new DataView(bytes.buffer);
  MAGIC.forEach((b, i) => v.setUint8(i, b));
  v.setUint16(4, FORMAT_VERSION, true);
  v.setUint16(6, r.T, true);
  v.setUint16(8, r.R, true);
  v.setUint16(10, 0, true);
  v.setUint32(12, r.K, true);
  v.setUint32(16, r.N, true);
  v.setUint32(20, r.D, true);
  v.setUint32(24, r.P, true);
  v.setUint32(28, r.maxDets, true);
  v.setFloat64(32, r.areaRange[0], true);
  v.setFloat64(40, r.areaRange[1], true);
  let o = HEADER_BYTES;
  const f64 = (a: Float64Array): void => {
    for (let i = 0; i < a.length; i++, o += 8) v.setFloat64(o, a[i], true);
  };
  const u32 = (a: Uint32Array): void => {
    for (let i = 0; i < a.length; i++, o += 4) v.setUint32(o, a[i], true);
  };
  const u16 = (a: Uint16Array): void => {
    for (let i = 0; i < a.length; i++, o += 2) v.setUint16(o, a[i], true);
  };
  f64(r.iouThrs); f64(r.recThrs); f64(r.catIds); f64(r.imageIds); f64(r.score);
  u32(r.catStart); u32(r.image); u32(r.gtStart); u32(r.gtImage); u32(r.gtCount); u32(r.numGt); u32(r.numDets);
  u16(r.tpMask); u16(r.fpMask);
  return bytes;
}

/**
 * Reads a serialised record and checks everything the AP computation relies on
 * (sizes, index ranges, masks, the score order); `label` names the cell in errors.
 */
export function deserializeCellMatches(bytes: Uint8Array, label = 'cell record'): CellMatches {
  const fail = (problem: string): never => {
    throw badInput(`${label}: ${problem}`);
  };
  if (bytes.length < HEADER_BYTES) fail(`${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < 4; i++) if (v.getUint8(i) !== MAGIC[i]) fail('not a cell match record (bad magic)');
  const version = v.getUint16(4, true);
  if (version !== FORMAT_VERSION) fail(`format version ${version}, this Odra reads ${FORMAT_VERSION}`);
  const T = v.getUint16(6, true);
  const R = v.getUint16(8, true);
  const K = v.getUint32(12, true);
  const N = v.getUint32(16, true);
  const D = v.getUint32(20, true);
  const P = v.getUint32(24, true);
  const maxDets = v.getUint32(28, true);
  const areaRange: [number, number] = [v.getFloat64(32, true), v.getFloat64(40, true)];
  if (T > MAX_THRESHOLDS) fail(`${T} IoU thresholds, at most ${MAX_THRESHOLDS}`);
  const size = serializedSize({ T, R, K, N, D, P });
  if (bytes.length !== size) fail(`${bytes.length} bytes, the header's counts need ${size}`);
  let o = HEADER_BYTES;
  const f64 = (n: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++, o += 8) a[i] = v.getFloat64(o, true);
    return a;
  };
  const u32 = (n: number): Uint32Array => {
    const a = new Uint32Array(n);
    for (let i = 0; i < n; i++, o += 4) a[i] = v.getUint32(o, true);
    return a;
  };
  const u16 = (n: number): Uint16Array => {
    const a = new Uint16Array(n);
    for (let i = 0; i < n; i++, o += 2) a[i] = v.getUint16(o, true);
    return a;
  };
  const iouThrs = f64(T);
  const recThrs = f64(R);
  const catIds = f64(K);
  const imageIds = f64(N);
  const score = f64(D);
  const catStart = u32(K + 1);
  const image = u32(D);
  const gtStart = u32(K + 1);
  const gtImage = u32(P);
  const gtCount = u32(P);
  const numGt = u32(K);
  const numDets = u32(K);
  const tpMask = u16(D);
  const fpMask = u16(D);
  const rec: CellMatches = {
    T, R, K, N, D, P, maxDets, areaRange, iouThrs, recThrs, catIds, imageIds,
    catStart, score, image, tpMask, fpMask, gtStart, gtImage, gtCount, numGt, numDets,
  };
  const problem = checkCellMatches(rec);
  if (problem) fail(problem);
  return rec;
}

/** The first broken invariant of a record, or null. */
export function checkCellMatches(r: CellMatches): string | null {
  const { T, K, N, D, P } = r;
  const full = (1 << T) - 1;
  for (let i = 1; i < N; i++) if (!(r.imageIds[i] > r.imageIds[i - 1])) return 'image ids are not strictly ascending';
  for (let k = 1; k < K; k++) if (!(r.catIds[k] > r.catIds[k - 1])) return 'category ids are not strictly ascending';
  for (let i = 1; i < r.R; i++) if (!(r.recThrs[i] >= r.recThrs[i - 1])) return 'recall thresholds do not ascend';
  const starts = (s: Uint32Array, total: number, what: string): string | null => {
    if (s[0] !== 0 || s[K] !== total) return `${what} offsets do not cover the ${total} entries`;
    for (let k = 0; k < K; k++) if (s[k + 1] < s[k]) return `${what} offsets decrease`;
    return null;
  };
  const bad = starts(r.catStart, D, 'detection') ?? starts(r.gtStart, P, 'GT');
  if (bad) return bad;
  for (let k = 0; k < K; k++) {
    for (let i = r.catStart[k]; i < r.catStart[k + 1]; i++) {
      if (r.image[i] >= N) return `detection ${i} refers to image index ${r.image[i]} of ${N}`;
      if (!Number.isFinite(r.score[i])) return `detection ${i} has a non-finite score`;
      const tp = r.tpMask[i];
      const fp = r.fpMask[i];
      if ((tp & fp) !== 0 || ((tp | fp) & ~full) !== 0 || (tp | fp) === 0) return `detection ${i} has invalid TP/FP masks`;
      if (i > r.catStart[k]) {
        const ps = r.score[i - 1];
        const s = r.score[i];
        if (s > ps || (s === ps && r.image[i] < r.image[i - 1])) return `detections of category ${r.catIds[k]} are not in score order`;
      }
    }
    for (let g = r.gtStart[k]; g < r.gtStart[k + 1]; g++) {
      if (r.gtImage[g] >= N) return `GT entry ${g} refers to image index ${r.gtImage[g]} of ${N}`;
      if (r.gtCount[g] === 0) return `GT entry ${g} has count 0`;
      if (g > r.gtStart[k] && r.gtImage[g] <= r.gtImage[g - 1]) return `GT entries of category ${r.catIds[k]} are not in image order`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------
// Shards

function sameArray(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/** Why two records cannot be compared or merged (other parameters or categories), or null. */
export function incompatibility(x: CellMatches, y: CellMatches): string | null {
  if (!sameArray(x.iouThrs, y.iouThrs)) return 'IoU thresholds differ';
  if (!sameArray(x.recThrs, y.recThrs)) return 'recall thresholds differ';
  if (!sameArray(x.catIds, y.catIds)) return 'categories differ';
  if (x.maxDets !== y.maxDets) return 'maxDets differ';
  if (!sameArray(x.areaRange, y.areaRange)) return 'area ranges differ';
  return null;
}

/** The record of the union of the parts' images (disjoint image sets, same parameters). */
export function mergeCellMatches(parts: readonly CellMatches[]): CellMatches {
  if (parts.length === 0) throw new Error('mergeCellMatches: no parts');
  const first = parts[0];
  for (const p of parts) {
    const why = incompatibility(first, p);
    if (why) throw badInput(`cannot merge cell records: ${why}`);
  }
  const { T, R, K } = first;
  // union of image ids, and each part's index -> merged index
  const ids: number[] = [];
  for (const p of parts) for (const id of p.imageIds) ids.push(id);
  ids.sort((x, y) => x - y);
  for (let i = 1; i < ids.length; i++) if (ids[i] === ids[i - 1]) throw badInput(`cannot merge cell records: image ${ids[i]} is in two parts`);
  const index = new Map(ids.map((id, i) => [id, i]));
  const remap = parts.map((p) => Uint32Array.from(p.imageIds, (id) => index.get(id) as number));

  const D = parts.reduce((s, p) => s + p.D, 0);
  const P = parts.reduce((s, p) => s + p.P, 0);
  const catStart = new Uint32Array(K + 1);
  const gtStart = new Uint32Array(K + 1);
  const score = new Float64Array(D);
  const image = new Uint32Array(D);
  const tpMask = new Uint16Array(D);
  const fpMask = new Uint16Array(D);
  const gtImage = new Uint32Array(P);
  const gtCount = new Uint32Array(P);
  const numGt = new Uint32Array(K);
  const numDets = new Uint32Array(K);
  let o = 0;
  let g = 0;
  for (let k = 0; k < K; k++) {
    catStart[k] = o;
    gtStart[k] = g;
    // (part, index) of every detection of k, in score order, ties by merged image index;
    // a part's own order is kept among equal (score, image)
    const items: [number, number][] = [];
    parts.forEach((p, pi) => {
      for (let i = p.catStart[k]; i < p.catStart[k + 1]; i++) items.push([pi, i]);
    });
    items.sort(([pa, ia], [pb, ib]) => {
      const sa = parts[pa].score[ia];
      const sb = parts[pb].score[ib];
      if (sa !== sb) return sa > sb ? -1 : 1;
      const ma = remap[pa][parts[pa].image[ia]];
      const mb = remap[pb][parts[pb].image[ib]];
      return ma - mb || pa - pb || ia - ib;
    });
    for (const [pi, i] of items) {
      const p = parts[pi];
      score[o] = p.score[i];
      image[o] = remap[pi][p.image[i]];
      tpMask[o] = p.tpMask[i];
      fpMask[o] = p.fpMask[i];
      o++;
    }
    const gts: [number, number][] = [];
    parts.forEach((p, pi) => {
      for (let j = p.gtStart[k]; j < p.gtStart[k + 1]; j++) gts.push([remap[pi][p.gtImage[j]], p.gtCount[j]]);
    });
    gts.sort((x, y) => x[0] - y[0]);
    for (const [im, c] of gts) {
      gtImage[g] = im;
      gtCount[g] = c;
      g++;
    }
    for (const p of parts) {
      numGt[k] += p.numGt[k];
      numDets[k] += p.numDets[k];
    }
  }
  catStart[K] = o;
  gtStart[K] = g;
  return {
    T, R, K, N: ids.length, D, P,
    maxDets: first.maxDets,
    areaRange: [first.areaRange[0], first.areaRange[1]],
    iouThrs: Float64Array.from(first.iouThrs),
    recThrs: Float64Array.from(first.recThrs),
    catIds: Float64Array.from(first.catIds),
    imageIds: Float64Array.from(ids),
    catStart, score, image, tpMask, fpMask, gtStart, gtImage, gtCount, numGt, numDets,
  };
}
