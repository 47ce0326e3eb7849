import { describe, expect, it } from 'vitest';
import { createEvalSetup, DET_IGNORED, DET_TP, evaluateImage } from '../../../src/engine/cocoeval/cocoeval';
import { boxIou, imageMatchesFor, matchImage, type Box, type MatchDetection, type MatchGt } from '../../../src/engine/evaluations/image-matches';
import { fromLegacyClassMap } from '../../../src/shared/class-map';
import type { ClassMap } from '../../../src/shared/schemas';

const gt = (id: number, categoryId: number, bbox: Box, iscrowd = false): MatchGt => ({ id, categoryId, bbox, iscrowd });
const det = (categoryId: number, bbox: Box, score: number): MatchDetection => ({ categoryId, bbox, score });

describe('boxIou', () => {
  it('is COCO bbox IoU, and inter / detection area against a crowd region', () => {
    // 10x10 boxes overlapping by 5x10: inter 50, union 150
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10], false)).toBeCloseTo(1 / 3, 12);
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10], true)).toBe(0.5);
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10], false)).toBe(0); // touching edges
    expect(boxIou([2, 2, 4, 4], [0, 0, 100, 100], true)).toBe(1); // detection inside a crowd region
  });
});

describe('matchImage', () => {
  it('greedy in score order: the higher score takes the GT, the duplicate is FP, an unfound GT is missed', () => {
    const gts = [gt(1, 1, [0, 0, 10, 10]), gt(2, 1, [100, 100, 10, 10])];
    const dets = [det(1, [0, 0, 10, 10], 0.6), det(1, [1, 0, 10, 10], 0.9)];
    const m = matchImage(gts, dets, { iouThreshold: 0.5, scoreThreshold: 0 });
    expect(m.detections.map((d) => [d.score, d.status, d.gtId])).toEqual([
      [0.9, 'tp', 1],
      [0.6, 'fp', undefined],
    ]);
    expect(m.detections[0].iou).toBeCloseTo(90 / 110, 12);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['matched', 'missed']);
  });

  it('the IoU threshold decides: 1/3 overlap is FP at 0.5 and TP at 0.3; IoU equal to the threshold matches', () => {
    const gts = [gt(1, 1, [0, 0, 10, 10])];
    const dets = [det(1, [5, 0, 10, 10], 0.8)];
    expect(matchImage(gts, dets, { iouThreshold: 0.5, scoreThreshold: 0 }).detections[0].status).toBe('fp');
    expect(matchImage(gts, dets, { iouThreshold: 0.3, scoreThreshold: 0 }).detections[0].status).toBe('tp');
    // inter 50 of union 100 is exactly 0.5
    expect(matchImage(gts, [det(1, [0, 0, 10, 5], 0.8)], { iouThreshold: 0.5, scoreThreshold: 0 }).detections[0].status).toBe('tp');
    // a perfect box still matches at t = 1 (COCO caps the threshold just under 1)
    expect(matchImage(gts, [det(1, [0, 0, 10, 10], 0.8)], { iouThreshold: 1, scoreThreshold: 0 }).detections[0].status).toBe('tp');
  });

  it('the score threshold hides low detections, which then leave their GT missed', () => {
    const gts = [gt(1, 1, [0, 0, 10, 10])];
    const dets = [det(1, [0, 0, 10, 10], 0.2), det(1, [50, 50, 10, 10], 0.7)];
    const m = matchImage(gts, dets, { iouThreshold: 0.5, scoreThreshold: 0.3 });
    expect(m.detections.map((d) => d.status)).toEqual(['fp']);
    expect(m.groundTruth[0].status).toBe('missed');
    expect(m.hidden).toEqual({ belowScore: 1, beyondMaxDets: 0 });
    // a detection exactly at the threshold is shown
    expect(matchImage(gts, dets, { iouThreshold: 0.5, scoreThreshold: 0.2 }).detections.map((d) => d.status)).toEqual(['fp', 'tp']);
  });

  it('matches per category: a box of another class never takes the GT', () => {
    const gts = [gt(1, 1, [0, 0, 10, 10])];
    const m = matchImage(gts, [det(2, [0, 0, 10, 10], 0.9)], { iouThreshold: 0.5, scoreThreshold: 0 });
    expect(m.detections[0].status).toBe('fp');
    expect(m.groundTruth[0].status).toBe('missed');
  });

  it('crowd regions absorb any number of detections (ignored), and a real GT is preferred over a crowd region', () => {
    const gts = [gt(1, 1, [0, 0, 100, 100], true), gt(2, 1, [10, 10, 20, 20])];
    const dets = [det(1, [10, 10, 20, 20], 0.9), det(1, [50, 50, 10, 10], 0.8), det(1, [60, 60, 10, 10], 0.7)];
    const m = matchImage(gts, dets, { iouThreshold: 0.5, scoreThreshold: 0 });
    // the first detection has IoU 1 with both; the non-crowd GT comes first and the scan stops at the crowd region
    expect(m.detections.map((d) => [d.status, d.gtId])).toEqual([
      ['tp', 2],
      ['ignored', 1],
      ['ignored', 1],
    ]);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['crowd', 'matched']);
  });

  it('equal IoU: the later GT in the (non-crowd first) order wins', () => {
    // the detection sits between two GT with the same IoU
    const gts = [gt(7, 1, [0, 0, 10, 10]), gt(8, 1, [2, 0, 10, 10])];
    const m = matchImage(gts, [det(1, [1, 0, 10, 10], 0.9)], { iouThreshold: 0.5, scoreThreshold: 0 });
    expect(m.detections[0].gtId).toBe(8);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['missed', 'matched']);
  });

  it('keeps 100 detections per category, highest scores first, ties in input order', () => {
    const dets = Array.from({ length: 105 }, (_, i) => det(1, [i * 20, 0, 10, 10], i < 5 ? 0.1 : 0.5));
    const other = det(2, [0, 0, 10, 10], 0.05);
    const m = matchImage([], [...dets, other], { iouThreshold: 0.5, scoreThreshold: 0 });
    expect(m.detections.filter((d) => d.categoryId === 1)).toHaveLength(100);
    expect(m.detections.filter((d) => d.categoryId === 2)).toHaveLength(1);
    expect(m.hidden.beyondMaxDets).toBe(5);
    // the five low ones are the ones dropped
    expect(m.detections.filter((d) => d.categoryId === 1).every((d) => d.score === 0.5)).toBe(true);
  });

  it('GT of categories the evaluation does not score is excluded, not missed', () => {
    const gts = [gt(1, 1, [0, 0, 10, 10]), gt(2, 3, [40, 40, 10, 10])];
    const m = matchImage(gts, [det(1, [0, 0, 10, 10], 0.9)], { iouThreshold: 0.5, scoreThreshold: 0, scoredCategories: new Set([1]) });
    expect(m.groundTruth.map((g) => g.status)).toEqual(['matched', 'excluded']);
  });

  it('refuses a threshold outside [0, 1]', () => {
    expect(() => matchImage([], [], { iouThreshold: 1.5, scoreThreshold: 0 })).toThrow(/iouThreshold/);
    expect(() => matchImage([], [], { iouThreshold: Number.NaN, scoreThreshold: 0 })).toThrow(/iouThreshold/);
  });

  it('gives the same TP / FP / ignored states as the COCO evaluator on random images', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const box = (): Box => {
      const x = Math.floor(rand() * 80);
      const y = Math.floor(rand() * 80);
      return [x, y, 4 + Math.floor(rand() * 30), 4 + Math.floor(rand() * 30)];
    };
    let compared = 0;
    const seen = new Set<string>();
    for (let trial = 0; trial < 300; trial++) {
      const gts: MatchGt[] = Array.from({ length: Math.floor(rand() * 8) }, (_, j) => gt(j + 1, 1 + Math.floor(rand() * 2), box(), rand() < 0.15));
      const dets: MatchDetection[] = [];
      for (const g of gts) {
        // near-duplicates of GT so that matches and contests happen
        for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
          const b = g.bbox;
          dets.push(det(g.categoryId, [b[0] + Math.floor(rand() * 6) - 3, b[1] + Math.floor(rand() * 6) - 3, b[2], b[3]], Math.round(rand() * 10) / 10));
        }
      }
      for (let k = 0; k < Math.floor(rand() * 4); k++) dets.push(det(1 + Math.floor(rand() * 2), box(), Math.round(rand() * 10) / 10));
      const t = [0.3, 0.5, 0.75][trial % 3];
      const setup = createEvalSetup(
        { images: [{ id: 1 }], categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }] },
        { iouThrs: [t], maxDets: [100], areaRng: [[0, 1e10]], areaRngLbl: ['all'] },
      );
      const ev = evaluateImage(
        setup,
        1,
        gts.map((g) => ({ id: g.id, image_id: 1, category_id: g.categoryId, bbox: g.bbox, area: g.bbox[2] * g.bbox[3], iscrowd: g.iscrowd ? 1 : 0 })),
        dets.map((d) => ({ image_id: 1, category_id: d.categoryId, bbox: d.bbox, score: d.score })),
      );
      const expected = new Map<number, string>();
      for (let k = 0; k < ev.detIndex.length; k++) {
        const s = ev.detState[k];
        expected.set(ev.detIndex[k], s === DET_TP ? 'tp' : s === DET_IGNORED ? 'ignored' : 'fp');
      }
      const m = matchImage(gts, dets, { iouThreshold: t, scoreThreshold: 0 });
      // map results back to input positions (detections are distinct objects)
      const got = new Map<number, string>();
      for (const d of m.detections) {
        const i = dets.findIndex((x) => x.bbox === d.bbox);
        got.set(i, d.status);
      }
      expect(got).toEqual(expected);
      compared += got.size;
      for (const s of got.values()) seen.add(s);
    }
    expect(compared).toBeGreaterThan(500);
    expect([...seen].sort()).toEqual(['fp', 'ignored', 'tp']);
  });
});

describe('matchImage with ignore regions', () => {
  it('an ignore region absorbs detections like a crowd region and is reported as one; a real GT is preferred', () => {
    const gts: MatchGt[] = [{ ...gt(5, 1, [100, 0, 50, 40]), ignoreRegion: true }, gt(6, 1, [0, 0, 40, 30])];
    const dets = [det(1, [101, 0, 50, 40], 0.95), det(1, [0, 0, 40, 30], 0.9), det(1, [120, 10, 10, 10], 0.5)];
    const m = matchImage(gts, dets, { iouThreshold: 0.5, scoreThreshold: 0 });
    expect(m.detections.map((d) => [d.score, d.status, d.ignoredBy, d.gtId])).toEqual([
      [0.95, 'ignored', 'ignore-region', 5],
      [0.9, 'tp', undefined, 6],
      [0.5, 'ignored', 'ignore-region', 5],
    ]);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['ignore-region', 'matched']);
    const crowd = matchImage([gt(5, 1, [0, 0, 100, 100], true)], [det(1, [0, 0, 10, 10], 0.5)], { iouThreshold: 0.5, scoreThreshold: 0 });
    expect(crowd.detections[0].ignoredBy).toBe('crowd');
  });
});

const CATS = [
  { id: 1, name: 'Car' },
  { id: 2, name: 'Van' },
  { id: 3, name: 'Pedestrian' },
];
const CLASSES = ['person', 'car', 'bus'];
/** KITTI-like image: a Car, a Van and a Pedestrian; the model finds the car and the van as `car`, and a bus on a billboard */
const IMAGE = { annotations: [gt(10, 1, [0, 0, 40, 30]), gt(11, 2, [100, 0, 50, 40]), gt(12, 3, [200, 0, 20, 50])] };
const STORED: Stored[] = [
  { categoryId: 1, classIndex: 1, bbox: [101, 0, 50, 40] as Box, score: 0.95 },
  { categoryId: 1, classIndex: 1, bbox: [0, 0, 40, 30] as Box, score: 0.9 },
  { categoryId: null, classIndex: 2, bbox: [300, 0, 80, 60] as Box, score: 0.6 },
  { categoryId: null, classIndex: 2, bbox: [300, 100, 80, 60] as Box, score: 0.1 },
];
const entry = (name: string, ids: number[], classes: string[], ignore: number[] = []) => ({ name, datasetCategories: ids, modelClasses: classes, ignore });

type Stored = { categoryId: number | null; classIndex: number | null; bbox: Box; score: number };

function matchUnder(classMap: ClassMap, stored: Stored[] = STORED) {
  return imageMatchesFor(
    {
      evaluation: () => ({ datasetId: 4, classMap, classNames: CLASSES, categories: CATS }),
      detections: () => stored,
      image: () => IMAGE,
    },
    { id: 9, imageId: 77, iouThreshold: 0.5, scoreThreshold: 0.3 },
  );
}

describe('imageMatchesFor', () => {
  it("scores the categories the evaluation's recorded class map maps, on the evaluation's dataset", () => {
    const asked: string[] = [];
    const m = imageMatchesFor(
      {
        evaluation: (id) => {
          asked.push(`evaluation ${id}`);
          return { datasetId: 4, classMap: fromLegacyClassMap({ '1': ['car'], '2': [], '3': ['person'] }, CATS), classNames: CLASSES, categories: CATS };
        },
        detections: (id, imageId) => {
          asked.push(`detections ${id}/${imageId}`);
          return [
            { categoryId: 1, classIndex: 1, bbox: [0, 0, 10, 10], score: 0.9 },
            { categoryId: 3, classIndex: 0, bbox: [50, 50, 10, 10], score: 0.4 },
          ];
        },
        image: (datasetId, imageId) => {
          asked.push(`image ${datasetId}/${imageId}`);
          return { annotations: [gt(10, 1, [0, 0, 10, 10]), gt(11, 2, [20, 20, 10, 10]), gt(12, 3, [80, 80, 10, 10])] };
        },
      },
      { id: 9, imageId: 77, iouThreshold: 0.5, scoreThreshold: 0.5 },
    );
    expect(asked).toEqual(['evaluation 9', 'image 4/77', 'detections 9/77']);
    expect(m.groundTruth.map((g) => [g.id, g.status, g.label, g.scoredAs])).toEqual([
      [10, 'matched', 'Car', 'Car'],
      [11, 'excluded', 'Van', null],
      [12, 'missed', 'Pedestrian', 'Pedestrian'],
    ]);
    expect(m.detections.map((d) => [d.status, d.label])).toEqual([['tp', 'Car']]);
    expect(m.hidden.belowScore).toBe(1);
  });

  it('ignore for: the car on the Van is ignored (neither TP nor FP) and the Van is drawn as an ignore region', () => {
    const m = matchUnder({ version: 2, categories: [entry('Car', [1], ['car'], [2]), entry('Pedestrian', [3], ['person'])] });
    expect(m.detections.map((d) => [d.score, d.status, d.ignoredBy ?? null, d.label])).toEqual([
      [0.95, 'ignored', 'ignore-region', 'Car'],
      [0.9, 'tp', null, 'Car'],
      [0.6, 'not-scored', null, 'bus'],
    ]);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['matched', 'ignore-region', 'missed']);
    // the bus under the score threshold is hidden with the others
    expect(m.hidden.belowScore).toBe(1);
  });

  it('merged: both are TPs of "vehicle", and each GT keeps its own label with what it is scored as', () => {
    const stored = STORED.map((d) => (d.categoryId === 1 ? { ...d, categoryId: 1 } : d));
    const m = matchUnder({ version: 2, categories: [entry('vehicle', [1, 2], ['car'])] }, stored);
    expect(m.detections.filter((d) => d.categoryId !== null).map((d) => [d.status, d.label])).toEqual([
      ['tp', 'vehicle'],
      ['tp', 'vehicle'],
    ]);
    expect(m.groundTruth.map((g) => [g.label, g.scoredAs, g.status])).toEqual([
      ['Car', 'vehicle', 'matched'],
      ['Van', 'vehicle', 'matched'],
      ['Pedestrian', null, 'excluded'],
    ]);
  });

  it('unmapped Van: the car on it is an FP of Car and the Van is excluded', () => {
    const m = matchUnder({ version: 2, categories: [entry('Car', [1], ['car'])] });
    expect(m.detections.map((d) => d.status)).toEqual(['fp', 'tp', 'not-scored']);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['matched', 'excluded', 'excluded']);
  });

  it('a category scored itself and ignored for another keeps its own status', () => {
    // a model whose bus class scores as Van: its detections were stored under Van
    const stored = [...STORED.map((d) => (d.classIndex === 2 ? { ...d, categoryId: 2 } : d)), { categoryId: 2, classIndex: 2, bbox: [100, 0, 50, 40] as Box, score: 0.5 }];
    const m = matchUnder({ version: 2, categories: [entry('Car', [1], ['car'], [2]), entry('Van', [2], ['bus'])] }, stored);
    expect(m.groundTruth.map((g) => g.status)).toEqual(['matched', 'matched', 'excluded']);
    expect(m.detections.map((d) => [d.label, d.status])).toEqual([
      ['Car', 'ignored'],
      ['Car', 'tp'],
      ['Van', 'fp'],
      ['Van', 'tp'],
    ]);
  });

  it('an evaluation recorded with a first-format one-to-many map shows what it scored: the car as Car and as Van', () => {
    const legacy = fromLegacyClassMap({ '1': ['car'], '2': ['car'] }, CATS);
    const stored = [
      { categoryId: 1, classIndex: null, bbox: [0, 0, 40, 30] as Box, score: 0.9 },
      { categoryId: 2, classIndex: null, bbox: [0, 0, 40, 30] as Box, score: 0.9 },
    ];
    const m = matchUnder(legacy, stored);
    expect(m.detections.map((d) => [d.label, d.status, d.classIndex])).toEqual([
      ['Car', 'tp', null],
      ['Van', 'fp', null],
    ]);
  });
});
