import { linspace } from './numpy';

/**
 * Evaluation parameters, as pycocotools' `Params(iouType='bbox')`. Every field has
 * pycocotools' default; see DEFAULT_EVAL_PARAMS.
 */
export interface EvalParams {
  /** Images to evaluate; null = every image listed in gt.images. Sorted and de-duplicated (np.unique). */
  imgIds: readonly number[] | null;
  /** Categories to evaluate; null = every category in gt.categories. Sorted and de-duplicated (np.unique). */
  catIds: readonly number[] | null;
  /** T IoU thresholds; default np.linspace(.5, .95, 10). */
  iouThrs: readonly number[];
  /** R recall thresholds; default np.linspace(0, 1, 101). */
  recThrs: readonly number[];
  /** M max detections per (image, category); sorted ascending; default [1, 10, 100]. */
  maxDets: readonly number[];
  /** A area ranges [lo, hi], closed on both ends; default [[0, 1e10], [0, 1024], [1024, 9216], [9216, 1e10]]. */
  areaRng: readonly (readonly [number, number])[];
  /** One label per area range; summarize() looks ranges up by 'all', 'small', 'medium', 'large'. */
  areaRngLbl: readonly string[];
}

export const DEFAULT_EVAL_PARAMS: Readonly<EvalParams> = Object.freeze({
  imgIds: null,
  catIds: null,
  // pycocotools: np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1) -> 10 values
  iouThrs: Object.freeze(linspace(0.5, 0.95, 10)),
  // pycocotools: np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1) -> 101 values
  recThrs: Object.freeze(linspace(0, 1, 101)),
  maxDets: Object.freeze([1, 10, 100]),
  areaRng: Object.freeze([
    Object.freeze([0 ** 2, 1e5 ** 2] as const),
    Object.freeze([0 ** 2, 32 ** 2] as const),
    Object.freeze([32 ** 2, 96 ** 2] as const),
    Object.freeze([96 ** 2, 1e5 ** 2] as const),
  ]),
  areaRngLbl: Object.freeze(['all', 'small', 'medium', 'large']),
});

/**
 * Parameters resolved against one ground truth, in the form the kernels use.
 * Built once (createEvalSetup) and shared by every evaluateImage / accumulate call
 * of one evaluation, so per-image results stay comparable.
 */
export interface EvalSetup {
  /** Evaluated image ids, ascending (np.unique): the order accumulate() concatenates images in. */
  readonly imgIds: readonly number[];
  /** Evaluated category ids, ascending; k in the result arrays indexes this list. */
  readonly catIds: readonly number[];
  /** Name of catIds[k] from gt.categories ('' when the id is not listed there). */
  readonly catNames: readonly string[];
  readonly iouThrs: Float64Array;
  readonly recThrs: Float64Array;
  /** Ascending. */
  readonly maxDets: readonly number[];
  /** [A*2]: lo, hi of each range. */
  readonly areaRng: Float64Array;
  readonly areaRngLbl: readonly string[];
  readonly T: number;
  readonly R: number;
  readonly K: number;
  readonly A: number;
  readonly M: number;
  /** maxDets[M-1]: detections kept per (image, category) by evaluate. */
  readonly maxDet: number;
  /** category id -> k */
  readonly catIndex: ReadonlyMap<number, number>;
  /** image id -> position in imgIds */
  readonly imgIndex: ReadonlyMap<number, number>;
}

function uniqueSorted(ids: readonly number[], what: string): number[] {
  for (const id of ids) {
    if (typeof id !== 'number' || Number.isNaN(id)) throw new Error(`${what}: ids must be numbers, got ${String(id)}`);
  }
  const sorted = [...ids].sort((a, b) => a - b);
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}

function checkThresholds(values: readonly number[], what: string): void {
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: thresholds must be finite numbers, got ${String(v)}`);
  }
}

/** Resolves parameters against a ground truth (its image and category lists). */
export function createEvalSetup(
  gt: { images: readonly { id: number }[]; categories: readonly { id: number; name: string }[] },
  params: Partial<EvalParams> = {},
): EvalSetup {
  const d = DEFAULT_EVAL_PARAMS;
  // `?? default` rather than a spread, so an explicit undefined also means the default
  const p: EvalParams = {
    imgIds: params.imgIds ?? d.imgIds,
    catIds: params.catIds ?? d.catIds,
    iouThrs: params.iouThrs ?? d.iouThrs,
    recThrs: params.recThrs ?? d.recThrs,
    maxDets: params.maxDets ?? d.maxDets,
    areaRng: params.areaRng ?? d.areaRng,
    areaRngLbl: params.areaRngLbl ?? (params.areaRng ? params.areaRng.map((_, i) => d.areaRngLbl[i] ?? `range${i}`) : d.areaRngLbl),
  };
  const imgIds = uniqueSorted(p.imgIds ?? gt.images.map((im) => im.id), 'imgIds');
  const catIds = uniqueSorted(p.catIds ?? gt.categories.map((c) => c.id), 'catIds');
  checkThresholds(p.iouThrs, 'iouThrs');
  checkThresholds(p.recThrs, 'recThrs');
  for (const m of p.maxDets) {
    if (!Number.isInteger(m) || m < 0) throw new Error(`maxDets: expected non-negative integers, got ${String(m)}`);
  }
  if (p.maxDets.length === 0) throw new Error('maxDets: at least one value is needed');
  if (p.areaRng.length !== p.areaRngLbl.length) {
    throw new Error(`areaRng has ${p.areaRng.length} ranges but areaRngLbl has ${p.areaRngLbl.length} labels`);
  }
  const maxDets = [...p.maxDets].sort((a, b) => a - b);
  const areaRng = new Float64Array(p.areaRng.length * 2);
  p.areaRng.forEach((r, i) => {
    if (r.length !== 2 || Number.isNaN(r[0]) || Number.isNaN(r[1])) throw new Error(`areaRng[${i}]: expected [lo, hi]`);
    areaRng[2 * i] = r[0];
    areaRng[2 * i + 1] = r[1];
  });
  const names = new Map<number, string>();
  for (const c of gt.categories) if (!names.has(c.id)) names.set(c.id, c.name);
  return {
    imgIds,
    catIds,
    catNames: catIds.map((id) => names.get(id) ?? ''),
    iouThrs: Float64Array.from(p.iouThrs),
    recThrs: Float64Array.from(p.recThrs),
    maxDets,
    areaRng,
    areaRngLbl: [...p.areaRngLbl],
    T: p.iouThrs.length,
    R: p.recThrs.length,
    K: catIds.length,
    A: p.areaRng.length,
    M: maxDets.length,
    maxDet: maxDets[maxDets.length - 1],
    catIndex: new Map(catIds.map((id, k) => [id, k])),
    imgIndex: new Map(imgIds.map((id, i) => [id, i])),
  };
}
