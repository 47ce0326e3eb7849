/**
 * AP of one cell from its compact match record (cell-matches.ts) with integer weights
 * per image: weight w_i = how many times image i is in the evaluated multiset (a
 * bootstrap resample's counts; all 1 = the audit's own image set).
 *
 * Exactness (tested): with all weights 1 the results equal cocoeval's summarize()
 * stats.AP / stats.AP50 (default maxDets) and perCategory() AP / AP50 bit for bit; with
 * integer weights they equal accumulate() + summarize() on the expanded multiset, each
 * image repeated w_i times, copies consecutive (accumulate's order for repeated ids).
 *
 * Per category k and IoU threshold t (pycocotools accumulate, area 'all', maxDets 100):
 *   npig_k = sum_i w_i * npig[i, k]; none (npig_k = 0): AP_k undefined (NaN here; -1 in
 *   pycocotools' precision array, excluded from every mean).
 *   Walk the record's detections of k in order. The multiset's order among equal scores
 *   is image, copy, rank, so a run of detections with equal score on one image is
 *   repeated w_i times as a block; a lone detection is w_i consecutive copies. Each copy
 *   that is TP at t adds an event with tp += 1 and precision tp / ((fp + tp) + eps),
 *   eps = np.spacing(1); each FP copy adds fp += 1; ignored copies add nothing (they are
 *   positions that count neither, so they change no precision value).
 *   precision[t, r] = max of the events' precision from the first event e with
 *   (e + 1) / npig_k >= recThrs[r] on (pycocotools' right-to-left maximum read at
 *   searchsorted(rc, recThr, 'left')), 0 when there is no such event.
 *   These are the same integer counts and the same divisions as cocoeval's
 *   accumulateCategory, hence the same doubles.
 * Means (numpy's np.mean: pairwise sums in chunks of 8192, see cocoeval/numpy.ts):
 *   AP_k   = mean of precision[t, r] in C order (t, r)
 *   AP50_k = mean of precision[t50, r], t50 = the threshold equal to 0.5
 *   AP     = mean over (t, r, k) in C order of the categories with npig_k > 0
 *   AP50   = mean over (r, k) at t50 likewise (summarize's AP50 when maxDets[2] = 100)
 *   NaN where pycocotools gives -1 (no category with GT, or no 0.5 threshold).
 */
import { pairwiseSum } from '../cocoeval/numpy';
import type { CellMatches } from './cell-matches';

/** np.spacing(1) */
const EPS = 2.220446049250313e-16;
/** numpy's ufunc buffer size: np.mean sums chunks of this many elements in turn */
const NPY_BUFSIZE = 8192;

/** np.mean of a[start .. start+n) (cocoeval/numpy.ts numpyMean, at an offset). */
function meanAt(a: Float64Array, start: number, n: number): number {
  let sum = 0;
  for (let s = 0; s < n; s += NPY_BUFSIZE) sum += pairwiseSum(a, start + s, Math.min(NPY_BUFSIZE, n - s));
  return sum / n;
}

/** The AP numbers of one cell; NaN = undefined (pycocotools' -1). */
export interface CellAp {
  ap: number;
  ap50: number;
  /** [K] */
  apPerCat: Float64Array;
  /** [K] */
  ap50PerCat: Float64Array;
}

export function newCellAp(K: number): CellAp {
  return { ap: NaN, ap50: NaN, apPerCat: new Float64Array(K), ap50PerCat: new Float64Array(K) };
}

/**
 * Computes a record's AP for any number of weight vectors, reusing its work buffers.
 * One scorer per record; not shared between threads.
 */
export class CellScorer {
  readonly rec: CellMatches;
  /** [D] one past the last detection of the same category, score and image (the repeated block) */
  private readonly runEnd: Uint32Array;
  private readonly fullMask: number;
  private readonly t50: number;
  /** [R] */
  private readonly recThrs: Float64Array;
  /** [K * T * R] precision per category (k-major, so one category's T x R are contiguous) */
  private readonly prec: Float64Array;
  /** [K] 1 when the category has GT in the weighted set */
  private readonly valid: Uint8Array;
  private readonly meanBuf: Float64Array;
  private readonly tpc: Int32Array;
  private readonly fpc: Float64Array;
  /** events: [T * cap] precision of each TP event */
  private ev = new Float64Array(0);
  private cap = 0;

  constructor(rec: CellMatches) {
    this.rec = rec;
    const { T, R, K, D, catStart, score, image } = rec;
    this.runEnd = new Uint32Array(D);
    for (let k = 0; k < K; k++) {
      const end = catStart[k + 1];
      let i = catStart[k];
      while (i < end) {
        let j = i + 1;
        while (j < end && score[j] === score[i] && image[j] === image[i]) j++;
        for (let q = i; q < j; q++) this.runEnd[q] = j;
        i = j;
      }
    }
    this.fullMask = (1 << T) - 1;
    this.t50 = rec.iouThrs.indexOf(0.5);
    this.recThrs = rec.recThrs;
    this.prec = new Float64Array(K * T * R);
    this.valid = new Uint8Array(K);
    this.meanBuf = new Float64Array(T * R * K);
    this.tpc = new Int32Array(T);
    this.fpc = new Float64Array(T);
  }

  /**
   * AP of the record with weights[offset + i] copies of image i (null: every image once).
   * AP50 values are computed only when `withAp50` (the bootstrap needs AP alone); else
   * they are left as they were.
   */
  score(weights: Int32Array | null, offset: number, out: CellAp, withAp50 = true): void {
    const rec = this.rec;
    const { T, R, K } = rec;
    const TR = T * R;
    const prec = this.prec;
    const valid = this.valid;
    for (let k = 0; k < K; k++) {
      const np = this.weightedNpig(k, weights, offset);
      valid[k] = np > 0 ? 1 : 0;
      if (np > 0) this.categoryPrecision(k, np, weights, offset);
    }
    // per category
    let nValid = 0;
    for (let k = 0; k < K; k++) {
      if (valid[k] === 0) {
        out.apPerCat[k] = NaN;
        if (withAp50) out.ap50PerCat[k] = NaN;
        continue;
      }
      nValid++;
      out.apPerCat[k] = meanAt(prec, k * TR, TR);
      if (withAp50) out.ap50PerCat[k] = this.t50 >= 0 ? meanAt(prec, k * TR + this.t50 * R, R) : NaN;
    }
    if (nValid === 0) {
      out.ap = NaN;
      if (withAp50) out.ap50 = NaN;
      return;
    }
    // overall: C order (t, r, k) over the categories with GT, as summarize's selection
    const buf = this.meanBuf;
    let n = 0;
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < R; r++) {
        const off = t * R + r;
        for (let k = 0; k < K; k++) if (valid[k] !== 0) buf[n++] = prec[k * TR + off];
      }
    }
    out.ap = meanAt(buf, 0, n);
    if (withAp50) {
      if (this.t50 < 0) {
        out.ap50 = NaN;
      } else {
        n = 0;
        for (let r = 0; r < R; r++) {
          const off = this.t50 * R + r;
          for (let k = 0; k < K; k++) if (valid[k] !== 0) buf[n++] = prec[k * TR + off];
        }
        out.ap50 = meanAt(buf, 0, n);
      }
    }
  }

  private weightedNpig(k: number, weights: Int32Array | null, offset: number): number {
    const { gtStart, gtImage, gtCount } = this.rec;
    let np = 0;
    if (weights === null) {
      for (let j = gtStart[k]; j < gtStart[k + 1]; j++) np += gtCount[j];
    } else {
      for (let j = gtStart[k]; j < gtStart[k + 1]; j++) np += weights[offset + gtImage[j]] * gtCount[j];
    }
    return np;
  }

  /** precision[k, t, r] for a category with np > 0 weighted non-ignored GT. */
  private categoryPrecision(k: number, np: number, weights: Int32Array | null, offset: number): void {
    const rec = this.rec;
    const { T, R } = rec;
    const { image, tpMask, fpMask } = rec;
    const runEnd = this.runEnd;
    const full = this.fullMask;
    // every TP holds its own non-ignored GT: at most np events per threshold
    if (this.cap < np) {
      this.cap = Math.max(np, 2 * this.cap);
      this.ev = new Float64Array(T * this.cap);
    }
    const ev = this.ev;
    const cap = this.cap;
    const tpc = this.tpc;
    const fpc = this.fpc;
    tpc.fill(0);
    fpc.fill(0);
    let fpAll = 0; // FP copies at every threshold, kept apart so uniform FPs touch one counter

    const end = rec.catStart[k + 1];
    let i = rec.catStart[k];
    while (i < end) {
      const w = weights === null ? 1 : weights[offset + image[i]];
      const e = runEnd[i];
      if (w === 0) {
        i = e;
        continue;
      }
      if (e === i + 1) {
        // one detection, w consecutive copies
        const fm = fpMask[i];
        if (fm === full) {
          fpAll += w;
        } else {
          const tm = tpMask[i];
          for (let t = 0; t < T; t++) {
            if ((tm >>> t) & 1) {
              let c = tpc[t];
              const f = fpAll + fpc[t];
              const base = t * cap;
              for (let j = 0; j < w; j++) {
                ev[base + c] = (c + 1) / (f + (c + 1) + EPS);
                c++;
              }
              tpc[t] = c;
            } else if ((fm >>> t) & 1) {
              fpc[t] += w;
            }
          }
        }
        i++;
        continue;
      }
      // equal scores on one image: the block i .. e-1 repeats once per copy
      for (let rep = 0; rep < w; rep++) {
        for (let q = i; q < e; q++) {
          const fm = fpMask[q];
          if (fm === full) {
            fpAll++;
            continue;
          }
          const tm = tpMask[q];
          for (let t = 0; t < T; t++) {
            if ((tm >>> t) & 1) {
              const c = tpc[t] + 1;
              ev[t * cap + c - 1] = c / (fpAll + fpc[t] + c + EPS);
              tpc[t] = c;
            } else if ((fm >>> t) & 1) {
              fpc[t]++;
            }
          }
        }
      }
      i = e;
    }

    const recThrs = this.recThrs;
    const prec = this.prec;
    for (let t = 0; t < T; t++) {
      const ne = tpc[t];
      const base = t * cap;
      const out = (k * T + t) * R;
      // recall thresholds ascend: those some event reaches form a prefix 0 .. rEnd-1,
      // the rest stay 0 (pycocotools breaks out of its loop there)
      let rEnd = 0;
      if (ne > 0) while (rEnd < R && ne / np >= recThrs[rEnd]) rEnd++;
      for (let r = rEnd; r < R; r++) prec[out + r] = 0;
      // right to left: the events reaching recThrs[r] are e_r .. ne-1 (e_r = the first
      // with (e + 1) / np >= recThrs[r]); fold them into the running maximum
      let cur = -Infinity;
      let e = ne - 1;
      for (let r = rEnd - 1; r >= 0; r--) {
        const thr = recThrs[r];
        while (e >= 0 && (e + 1) / np >= thr) {
          const v = ev[base + e];
          if (v > cur) cur = v;
          e--;
        }
        prec[out + r] = cur;
      }
    }
  }
}
