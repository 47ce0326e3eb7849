import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  createEvalSetup,
  DEFAULT_EVAL_PARAMS,
  evaluate,
  evaluateCoco,
  evaluateImage,
  indexGroundTruth,
  loadResults,
  precisionIndex,
  recallIndex,
  summarize,
  type CocoDetection,
  type CocoGroundTruth,
  type GtAnnotation,
  type ImageEval,
} from '../../../src/engine/cocoeval/cocoeval';
import { linspace } from '../../../src/engine/cocoeval/numpy';
import { cocoevalFixturesDir, compareWithExpected, listCases, loadCase } from './fixtures';

const TOL = 1e-9;
const fixturesDir = cocoevalFixturesDir();
const cases = listCases(fixturesDir);

describe('pycocotools fixtures', () => {
  it('finds the reference cases', () => {
    for (const name of ['edge_cases', 'nanodet_coco_train', 'yolox_coco_val', 'yolox_kitti']) expect(cases).toContain(name);
  });

  describe.each(cases)('%s', (name) => {
    const { gt, dets, expected } = loadCase(path.join(fixturesDir, name));

    it('gives pycocotools’ 12 stats and per-category AP / AP50 / counts', () => {
      const result = evaluateCoco(gt, dets);
      expect(compareWithExpected(result, expected)).toBeLessThanOrEqual(TOL);
      expect(result.per_category.reduce((s, c) => s + c.num_gt, 0)).toBe(expected.counts.gt);
      expect(result.per_category.reduce((s, c) => s + c.num_dets, 0)).toBe(expected.counts.dets);
      // the documented NaN-free contract
      for (const p of result.per_category) {
        if (p.AP !== null) expect(Number.isFinite(p.AP)).toBe(true);
        expect(p.AP === null).toBe(p.AP50 === null);
      }
    });

    it('gives the same numbers when images are evaluated one by one, in any order', () => {
      const setup = createEvalSetup(gt);
      const gtByImage = groupBy(gt.annotations, (a) => a.image_id);
      const detsByImage = groupBy(dets, (d) => d.image_id);
      const ids = [...setup.imgIds].reverse(); // accumulate must restore id order
      const evals = ids.map((id) => evaluateImage(setup, id, gtByImage.get(id) ?? [], detsByImage.get(id) ?? []));
      const streamed = summarize(accumulate(evals, setup));
      const batch = evaluateCoco(gt, dets);
      expect(streamed.statsArray).toEqual(batch.statsArray);
      expect(streamed.per_category).toEqual(batch.per_category);
    });
  });
});

function groupBy<T>(items: readonly T[], key: (x: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Small hand-made cases: each pins one pycocotools behaviour, with the number the
// wrong behaviour would give noted beside the right one.

type Box = [number, number, number, number];
let nextId = 1;
function gtAnn(image_id: number, category_id: number, bbox: Box, extra: Partial<GtAnnotation> = {}): GtAnnotation {
  return { id: nextId++, image_id, category_id, bbox, area: bbox[2] * bbox[3], iscrowd: 0, ...extra };
}
function det(image_id: number, category_id: number, bbox: Box, score: number): CocoDetection {
  return { image_id, category_id, bbox, score };
}
function dataset(imageIds: number[], annotations: GtAnnotation[], catIds = [1, 2]): CocoGroundTruth {
  return {
    images: imageIds.map((id) => ({ id, width: 1000, height: 1000 })),
    annotations,
    categories: catIds.map((id) => ({ id, name: `c${id}` })),
  };
}
function apOf(gt: CocoGroundTruth, dets: CocoDetection[], catId = 1): { AP: number | null; AP50: number | null } {
  const cat = evaluateCoco(gt, dets).per_category.find((c) => c.id === catId);
  if (!cat) throw new Error(`category ${catId} missing`);
  return { AP: cat.AP, AP50: cat.AP50 };
}

const FAR: Box = [800, 800, 10, 10];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('score ties', () => {
  it('orders equal scores across images by image id, not by file position', () => {
    // image 2's FP comes first in the file; sorted by image id the TP of image 1 leads:
    // precision 1 at full recall (AP 1). File order would give precision 0.5 (AP 0.5).
    const gt = dataset([2, 1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    const dets = [det(2, 1, [0, 0, 100, 100], 0.5), det(1, 1, [0, 0, 100, 100], 0.5)];
    expect(apOf(gt, dets).AP).toBeCloseTo(1, 12);
  });

  it('keeps file order for equal scores within an image', () => {
    // the FP is first in the file and keeps its place before the TP: AP 0.5 (1 if reordered)
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    const dets = [det(1, 1, FAR, 0.5), det(1, 1, [0, 0, 100, 100], 0.5)];
    expect(apOf(gt, dets).AP).toBeCloseTo(0.5, 12);
    expect(apOf(gt, [dets[1], dets[0]]).AP).toBeCloseTo(1, 12);
  });
});

describe('matching', () => {
  it('gives an equal-IoU choice to the later GT', () => {
    // det A has IoU 0.6 with both GT; taking the later one leaves GT 1 for det B (AP50 1).
    // Taking the first would leave det B an FP (AP50 about 0.5).
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 10, 10]), gtAnn(1, 1, [5, 0, 10, 10])]);
    const dets = [det(1, 1, [2.5, 0, 10, 10], 0.9), det(1, 1, [0, 0, 10, 10], 0.8)];
    expect(apOf(gt, dets).AP50).toBeCloseTo(1, 12);
  });

  it('does not move a detection holding a regular GT to a better crowd region', () => {
    // IoU 0.6 with the GT, crowd IoU 1: the GT is kept for t <= 0.6 (3 of 10 thresholds),
    // above that the crowd region absorbs the detection. AP 0.3 (0 if the crowd won).
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 10, 10]), gtAnn(1, 1, [0, 0, 10, 6], { iscrowd: 1 })]);
    expect(apOf(gt, [det(1, 1, [0, 0, 10, 6], 0.9)]).AP).toBeCloseTo(0.3, 12);
  });

  it('lets a crowd region absorb any number of detections, which count neither TP nor FP', () => {
    const crowd = gtAnn(1, 1, [100, 100, 200, 200], { iscrowd: 1 });
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50]), crowd]);
    const inside = [0, 1, 2, 3].map((i) => det(1, 1, [110 + 20 * i, 110, 20, 20], 0.95 - 0.01 * i));
    // all four rank above the TP; were they FP, AP would be 0.2
    expect(apOf(gt, [...inside, det(1, 1, [0, 0, 50, 50], 0.5)]).AP).toBeCloseTo(1, 12);
  });

  it('computes crowd IoU as intersection over the detection area', () => {
    // half of the detection inside the crowd region: crowd IoU exactly 0.5, so it is
    // ignored at t = 0.5 only and an FP (ranked first) at the 9 higher thresholds:
    // AP = (1 + 9 * 0.5) / 10. With the usual IoU (1/3) it would be FP throughout (0.5).
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(1, 1, [100, 100, 200, 200], { iscrowd: 1 })]);
    const dets = [det(1, 1, [80, 150, 40, 20], 0.9), det(1, 1, [0, 0, 50, 50], 0.5)];
    expect(apOf(gt, dets).AP).toBeCloseTo(0.55, 12);
  });

  it('only lets a crowd region absorb detections of its own category', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(1, 2, [100, 100, 200, 200], { iscrowd: 1 })]);
    const dets = [det(1, 1, [110, 110, 50, 50], 0.9), det(1, 1, [0, 0, 50, 50], 0.5)];
    expect(apOf(gt, dets).AP).toBeCloseTo(0.5, 12);
  });

  it('ignores a given `ignore` field: iscrowd alone decides', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50], { ignore: 1 })]);
    expect(apOf(gt, [det(1, 1, [0, 0, 50, 50], 0.9)]).AP).toBeCloseTo(1, 12);
  });

  it('needs IoU >= threshold with np.linspace thresholds (IoU 0.85 matches its 0.85)', () => {
    // IoU exactly 0.85: matched at 0.5 .. 0.85 (8 thresholds). np.linspace gives exactly
    // 0.85 there; 0.5 + 0.05 * 7 = 0.8500000000000001 would miss it (AP 0.7).
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    expect(apOf(gt, [det(1, 1, [0, 0, 85, 100], 0.9)]).AP).toBeCloseTo(0.8, 12);
    // IoU exactly 0.5 matches at 0.5
    expect(apOf(gt, [det(1, 1, [0, 0, 50, 100], 0.9)]).AP50).toBeCloseTo(1, 12);
  });
});

describe('ignore regions', () => {
  /** a small seeded generator, so the random cases are the same on every run */
  function lcg(seed: number): () => number {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
  }

  it('match exactly as crowd regions in every area range, with and without an iscrowd flag, but never count as GT', () => {
    const rand = lcg(7);
    const box = (): Box => [Math.floor(rand() * 300), Math.floor(rand() * 300), 8 + Math.floor(rand() * 120), 8 + Math.floor(rand() * 120)];
    const anns: GtAnnotation[] = [];
    const dets: CocoDetection[] = [];
    const marked = new Set<number>();
    for (let im = 1; im <= 40; im++) {
      for (let j = 0; j < 1 + Math.floor(rand() * 6); j++) {
        const a = gtAnn(im, 1 + Math.floor(rand() * 2), box(), { iscrowd: rand() < 0.1 ? 1 : 0 });
        if (rand() < 0.3) marked.add(a.id);
        anns.push(a);
        for (let k = 0; k < Math.floor(rand() * 3); k++) {
          const b = a.bbox;
          dets.push(det(im, a.category_id, [b[0] + Math.floor(rand() * 20) - 10, b[1] + Math.floor(rand() * 20) - 10, b[2], b[3]], Math.round(rand() * 100) / 100));
        }
      }
      for (let k = 0; k < Math.floor(rand() * 3); k++) dets.push(det(im, 1 + Math.floor(rand() * 2), box(), Math.round(rand() * 100) / 100));
    }
    const asCrowd = evaluateCoco(dataset(range(40), anns.map((a) => (marked.has(a.id) ? { ...a, iscrowd: 1 } : a))), dets);
    const asIgnore = evaluateCoco(dataset(range(40), anns.map((a) => (marked.has(a.id) ? { ...a, ignore_region: true } : a))), dets);
    expect(asIgnore.statsArray).toEqual(asCrowd.statsArray);
    expect(asIgnore.per_category.map((c) => [c.AP, c.AP50, c.num_dets])).toEqual(asCrowd.per_category.map((c) => [c.AP, c.AP50, c.num_dets]));
    // the marked boxes that were not crowd already: counted by crowd, never as ignore regions
    for (const c of asIgnore.per_category) {
      const ofCat = anns.filter((a) => a.category_id === c.id);
      expect(c.num_gt).toBe(ofCat.filter((a) => !marked.has(a.id)).length);
      expect(asCrowd.per_category.find((x) => x.id === c.id)!.num_gt).toBe(ofCat.length);
    }
    expect(marked.size).toBeGreaterThan(10);
    expect(asIgnore.stats.AP).toBeGreaterThan(0);
  });

  it('absorb a detection at crowd IoU (intersection / detection area), at the same thresholds', () => {
    // the detection lies half inside the region: crowd IoU 0.5 (ordinary IoU 1/3), so it
    // is ignored at t = 0.5 only, and an FP ranked first at the 9 higher thresholds
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(1, 1, [100, 100, 200, 200], { ignore_region: true })]);
    const dets = [det(1, 1, [80, 150, 40, 20], 0.9), det(1, 1, [0, 0, 50, 50], 0.5)];
    expect(apOf(gt, dets).AP).toBeCloseTo(0.55, 12);
    const single = evaluateCoco(gt, dets).per_category[0];
    expect(single.num_gt).toBe(1);
  });

  it('alone leave a category without GT: AP null, and the image-level evaluation counts no GT', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50], { ignore_region: true })]);
    const result = evaluateCoco(gt, [det(1, 1, [0, 0, 50, 50], 0.9)]);
    expect(result.per_category[0]).toMatchObject({ AP: null, num_gt: 0, num_dets: 1 });
    const e = evaluateImage(createEvalSetup(gt), 1, gt.annotations, [det(1, 1, [0, 0, 50, 50], 0.9)]);
    expect([e.numGt[0], e.npig[0], e.detState[0]]).toEqual([0, 0, 2]);
  });
});

describe('maxDets', () => {
  it('keeps the 100 best detections per image and category', () => {
    // 100 higher-scored FPs push the only TP to rank 101 of its image: recall 0, AP 0
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    const fps = Array.from({ length: 100 }, (_, i) => det(1, 1, [500 + i, 500, 10, 10], 0.9 - i * 0.001));
    expect(apOf(gt, [...fps, det(1, 1, [0, 0, 100, 100], 0.1)]).AP).toBe(0);
    // 99 FPs: the TP is kept (rank 100)
    expect(apOf(gt, [...fps.slice(1), det(1, 1, [0, 0, 100, 100], 0.1)]).AP).toBeGreaterThan(0);
  });

  it('cuts per category, not per image', () => {
    // 80 detections of category 2 rank above category 1's TP on the same image: a
    // per-image cut at 1 (AR1) would drop it (AR1 0), per image and category it stays
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    const other = Array.from({ length: 80 }, (_, i) => det(1, 2, [500 + i, 500, 10, 10], 0.9 - i * 0.001));
    const result = evaluateCoco(gt, [...other, det(1, 1, [0, 0, 100, 100], 0.1)]);
    expect(result.stats.AR1).toBeCloseTo(1, 12);
  });

  it('applies the smaller maxDets per image before merging images', () => {
    // image 1: FP (0.9) then TP (0.8); AR1 keeps only the FP, so recall 0 at maxDets 1
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    const result = evaluateCoco(gt, [det(1, 1, FAR, 0.9), det(1, 1, [0, 0, 100, 100], 0.8)]);
    expect(result.stats.AR1).toBe(0);
    expect(result.stats.AR10).toBeCloseTo(1, 12);
  });
});

describe('area ranges', () => {
  it('are closed on both ends and use the GT area field', () => {
    // area field exactly 32² = 1024 on a 10x10 box: in both small and medium
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 10, 10], { area: 1024 })]);
    const result = evaluateCoco(gt, [det(1, 1, [0, 0, 10, 10], 0.9)]);
    expect(result.stats.APs).toBeCloseTo(1, 12);
    expect(result.stats.APm).toBeCloseTo(1, 12);
    expect(result.stats.APl).toBe(-1); // no GT in range: -1 as pycocotools
  });

  it('counts an unmatched detection with w*h exactly 32² or 96² as FP in medium', () => {
    // medium GT, and an FP ranked first whose w*h sits on a boundary: inside the closed
    // range it halves APm (0.5); a half-open range would ignore it (APm 1)
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50])]);
    for (const side of [32, 96]) {
      const result = evaluateCoco(gt, [det(1, 1, [500, 500, side, side], 0.9), det(1, 1, [0, 0, 50, 50], 0.5)]);
      expect(result.stats.APm).toBeCloseTo(0.5, 12);
    }
  });

  it('ignores unmatched detections whose own w*h is outside the range', () => {
    // large-range evaluation: the small FP (ranked first) is ignored, the large TP gives AP 1
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 200, 200])]);
    const result = evaluateCoco(gt, [det(1, 1, [500, 500, 10, 10], 0.9), det(1, 1, [0, 0, 200, 200], 0.5)]);
    expect(result.stats.APl).toBeCloseTo(1, 12);
    expect(result.stats.AP).toBeCloseTo(0.5, 12);
  });
});

describe('recall thresholds', () => {
  it('reads the precision at the first recall >= np.linspace threshold (0.35000000000000003 > 7/20)', () => {
    // 20 GT, detections: 7 TP, 2 FP, 13 TP. At threshold 0.35000000000000003 the first
    // recall reaching it is 8/20, whose interpolated precision is 20/22; with the decimal
    // 0.35 it would be 1 (recall 7/20 == 0.35 exactly).
    const boxes: Box[] = Array.from({ length: 20 }, (_, i) => [i * 40, 0, 30, 30]);
    const gt = dataset([1], boxes.map((b) => gtAnn(1, 1, b)));
    const dets: CocoDetection[] = [];
    let s = 0.99;
    boxes.slice(0, 7).forEach((b) => dets.push(det(1, 1, b, (s -= 0.01))));
    dets.push(det(1, 1, [0, 500, 30, 30], (s -= 0.01)), det(1, 1, [100, 500, 30, 30], (s -= 0.01)));
    boxes.slice(7).forEach((b) => dets.push(det(1, 1, b, (s -= 0.01))));
    const gi = indexGroundTruth(gt);
    const ev = evaluate(gi, loadResults(gi, dets));
    const acc = accumulate(ev.images, ev.setup);
    expect(ev.setup.recThrs[35]).toBe(0.35000000000000003);
    expect(acc.precision[precisionIndex(acc.counts, 0, 35, 0, 0, 2)]).toBe(20 / (22 + 2.220446049250313e-16));
    expect(acc.precision[precisionIndex(acc.counts, 0, 34, 0, 0, 2)]).toBe(7 / (7 + 2.220446049250313e-16));
    // scores: the score at which that precision is read (the 8th TP, position 10)
    expect(acc.scores[precisionIndex(acc.counts, 0, 35, 0, 0, 2)]).toBe(dets[9].score);
  });

  it('uses numpy linspace values for the default thresholds', () => {
    expect(DEFAULT_EVAL_PARAMS.iouThrs).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
    expect(DEFAULT_EVAL_PARAMS.recThrs).toHaveLength(101);
    expect(DEFAULT_EVAL_PARAMS.recThrs[70]).toBe(0.7000000000000001);
    expect(DEFAULT_EVAL_PARAMS.recThrs[100]).toBe(1);
    expect(linspace(0, 1, 101)[95]).toBe(0.9500000000000001);
  });
});

describe('categories and images without GT', () => {
  it('gives null AP to a category without non-crowd GT and leaves it out of the mean', () => {
    const gt = dataset([1, 2], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(2, 2, [0, 0, 50, 50], { iscrowd: 1 })], [1, 2, 3]);
    const result = evaluateCoco(gt, [det(1, 1, [0, 0, 50, 50], 0.9), det(2, 2, [0, 0, 50, 50], 0.9), det(2, 3, FAR, 0.8)]);
    const byId = new Map(result.per_category.map((c) => [c.id, c]));
    expect(byId.get(1)).toEqual({ id: 1, name: 'c1', AP: expect.closeTo(1, 12), AP50: expect.closeTo(1, 12), num_gt: 1, num_dets: 1 });
    expect(byId.get(2)).toMatchObject({ AP: null, AP50: null, num_gt: 1, num_dets: 1 });
    expect(byId.get(3)).toMatchObject({ AP: null, AP50: null, num_gt: 0, num_dets: 1 });
    expect(result.stats.AP).toBeCloseTo(1, 12);
  });

  it('counts detections on an image without GT as FP, and GT without detections as missed', () => {
    const gt = dataset([1, 2, 3], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(3, 1, [0, 0, 50, 50])]);
    // image 2 has no GT: its FP outranks image 1's TP; image 3's GT is never found
    const result = evaluateCoco(gt, [det(2, 1, [0, 0, 50, 50], 0.9), det(1, 1, [0, 0, 50, 50], 0.8)]);
    expect(result.stats.AR100).toBeCloseTo(0.5, 12);
    expect(result.stats.AP50).toBeCloseTo(51 * 0.5 / 101, 12);
  });

  it('accepts an empty detection list (every GT missed)', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50])]);
    const result = evaluateCoco(gt, []);
    expect(result.stats.AP).toBe(0);
    expect(result.stats.AR100).toBe(0);
    expect(result.per_category[0]).toMatchObject({ AP: 0, AP50: 0, num_gt: 1, num_dets: 0 });
  });

  it('throws on a detection whose image is not in the ground truth', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50])]);
    expect(() => evaluateCoco(gt, [det(7, 1, [0, 0, 50, 50], 0.9)])).toThrow(/not in gt\.images.*7/);
  });

  it('throws on non-finite scores and malformed boxes', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50])]);
    expect(() => evaluateCoco(gt, [det(1, 1, [0, 0, 50, 50], Number.NaN)])).toThrow(/score/);
    const bad = { image_id: 1, category_id: 1, bbox: [0, 0, 50] as unknown as Box, score: 0.5 };
    expect(() => evaluateCoco(gt, [bad])).toThrow(/bbox/);
  });
});

describe('parameters', () => {
  it('restricts to imgIds and catIds', () => {
    const gt = dataset([1, 2], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(2, 1, [0, 0, 50, 50]), gtAnn(1, 2, [0, 0, 50, 50])]);
    const dets = [det(1, 1, [0, 0, 50, 50], 0.9), det(2, 1, FAR, 0.95), det(1, 2, FAR, 0.9)];
    const all = evaluateCoco(gt, dets);
    const only1 = evaluateCoco(gt, dets, { imgIds: [1], catIds: [1] });
    expect(all.per_category.map((c) => c.id)).toEqual([1, 2]);
    expect(only1.per_category.map((c) => c.id)).toEqual([1]);
    expect(only1.stats.AP).toBeCloseTo(1, 12);
    expect(only1.per_category[0]).toMatchObject({ num_gt: 1, num_dets: 1 });
    expect(all.stats.AP).toBeLessThan(0.5);
  });

  it('sorts maxDets and reports -1 for a stat whose maxDets entry does not exist', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 50, 50])]);
    const result = evaluateCoco(gt, [det(1, 1, [0, 0, 50, 50], 0.9)], { maxDets: [100, 1] });
    expect(result.stats.AR1).toBeCloseTo(1, 12); // maxDets[0] after sorting = 1
    expect(result.stats.AR10).toBeCloseTo(1, 12); // maxDets[1] = 100
    expect(result.stats.AR100).toBe(-1); // no maxDets[2]
    expect(result.stats.AP).toBeCloseTo(1, 12); // AP reads maxDets == 100 literally
  });
});

describe('per-image results', () => {
  it('accumulates repeated images (bootstrap resamples) as separate images', () => {
    const gt = dataset([1, 2], [gtAnn(1, 1, [0, 0, 50, 50]), gtAnn(2, 1, [0, 0, 50, 50])]);
    const setup = createEvalSetup(gt);
    const e1 = evaluateImage(setup, 1, [gt.annotations[0]], [det(1, 1, [0, 0, 50, 50], 0.9)]);
    const e2 = evaluateImage(setup, 2, [gt.annotations[1]], [det(2, 1, FAR, 0.95)]);
    const once = accumulate([e1, e2], setup);
    const twice: ImageEval[] = [e2, e1, e1, e2];
    const acc = accumulate(twice, setup);
    expect(acc.numGt[0]).toBe(4);
    expect(acc.numDets[0]).toBe(4);
    const r = recallIndex(acc.counts, 0, 0, 0, 2);
    expect(once.recall[r]).toBe(0.5);
    expect(acc.recall[r]).toBe(0.5); // 2 of 4 GT
    // FP, FP, TP, TP: interpolated precision 2/4 from recall 0 to 0.5, then 0
    expect(acc.precision[precisionIndex(acc.counts, 0, 50, 0, 0, 2)]).toBeCloseTo(0.5, 12);
    expect(acc.precision[precisionIndex(acc.counts, 0, 51, 0, 0, 2)]).toBe(0);
  });

  it('records TP / FP / ignored per detection, area range and threshold', () => {
    const gt = dataset([1], [gtAnn(1, 1, [0, 0, 100, 100])]);
    const setup = createEvalSetup(gt);
    const e = evaluateImage(setup, 1, gt.annotations, [det(1, 1, [0, 0, 85, 100], 0.9), det(1, 1, FAR, 0.3)]);
    const { A, T } = setup;
    const state = (d: number, a: number, t: number): number => e.detState[(d * A + a) * T + t];
    expect([...Array(T).keys()].map((t) => state(0, 0, t))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(state(1, 0, 0)).toBe(0); // FP in 'all'
    expect(state(1, 1, 0)).toBe(0); // 10x10: FP in 'small'
    expect(state(1, 2, 0)).toBe(2); // ignored in 'medium'
    expect(state(0, 1, 0)).toBe(2); // 85x100 matched a GT outside 'small': ignored there
    expect(e.detIndex[0]).toBe(0);
    expect(e.npig[0]).toBe(1);
  });
});
