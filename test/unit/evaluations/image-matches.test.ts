import { describe, expect, it } from 'vitest';
import { createEvalSetup, DET_IGNORED, DET_TP, evaluateImage } from '../../../src/engine/cocoeval/cocoeval';
import { boxIou, imageMatchesFor, matchImage, type Box, type MatchDetection, type MatchGt } from '../../../src/engine/evaluations/image-matches';

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

describe('imageMatchesFor', () => {
  it("scores the categories the evaluation's recorded class map maps, on the evaluation's dataset", () => {
    const asked: string[] = [];
    const m = imageMatchesFor(
      {
        evaluation: (id) => {
          asked.push(`evaluation ${id}`);
          return { datasetId: 4, classMap: { '1': ['car'], '2': [], '3': ['person'] } };
        },
        detections: (id, imageId) => {
          asked.push(`detections ${id}/${imageId}`);
          return [det(1, [0, 0, 10, 10], 0.9), det(3, [50, 50, 10, 10], 0.4)];
        },
        image: (datasetId, imageId) => {
          asked.push(`image ${datasetId}/${imageId}`);
          return { annotations: [gt(10, 1, [0, 0, 10, 10]), gt(11, 2, [20, 20, 10, 10]), gt(12, 3, [80, 80, 10, 10])] };
        },
      },
      { id: 9, imageId: 77, iouThreshold: 0.5, scoreThreshold: 0.5 },
    );
    expect(asked).toEqual(['evaluation 9', 'image 4/77', 'detections 9/77']);
    expect(m.groundTruth.map((g) => [g.id, g.status])).toEqual([
      [10, 'matched'],
      [11, 'excluded'],
      [12, 'missed'],
    ]);
    expect(m.detections.map((d) => d.status)).toEqual(['tp']);
    expect(m.hidden.belowScore).toBe(1);
  });
});
