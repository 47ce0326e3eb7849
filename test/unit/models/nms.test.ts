import { describe, expect, it } from 'vitest';
import { Candidates } from '../../../src/engine/models/candidates';
import { iou, nms, type NmsOptions } from '../../../src/engine/models/nms';

type Box = [number, number, number, number, number, number]; // x1 y1 x2 y2 score class

function cands(boxes: Box[]): Candidates {
  const c = new Candidates(2); // tiny capacity so growth is exercised
  for (const b of boxes) c.push(...b);
  return c;
}

const opts = (o: Partial<NmsOptions> = {}): NmsOptions => ({
  iouThreshold: 0.5,
  classAware: true,
  maxDetections: 100,
  imageWidth: 1000,
  imageHeight: 1000,
  ...o,
});

describe('iou', () => {
  it('is intersection over union, 0 for disjoint or touching boxes', () => {
    const a = [0, 0, 10, 10];
    expect(iou(a, 0, [5, 0, 15, 10], 0)).toBeCloseTo(50 / 150, 12);
    expect(iou(a, 0, [10, 0, 20, 10], 0)).toBe(0);
    expect(iou(a, 0, [0, 0, 10, 10], 0)).toBe(1);
  });
});

describe('nms', () => {
  it('suppresses overlapping boxes of the same class greedily by score, returned by descending score', () => {
    const out = nms(
      cands([
        [0, 0, 10, 10, 0.5, 0],
        [1, 0, 11, 10, 0.9, 0], // IoU 0.818 with the first: suppresses it
        [100, 100, 110, 110, 0.7, 0],
        [30, 0, 40, 10, 0.6, 0],
      ]),
      opts(),
    );
    expect(out.map((d) => d.score.toFixed(2))).toEqual(['0.90', '0.70', '0.60']);
    expect(out[0].bbox).toEqual([1, 0, 10, 10]);
  });

  it('is greedy: a suppressed box does not suppress others (chain A > B > C keeps A and C)', () => {
    // A-B IoU 0.67, B-C IoU 0.67, A-C IoU 0.43
    const out = nms(cands([[0, 0, 10, 10, 0.9, 0], [2, 0, 12, 10, 0.8, 0], [4, 0, 14, 10, 0.7, 0]]), opts({ iouThreshold: 0.5 }));
    expect(out.map((d) => d.bbox[0])).toEqual([0, 4]);
  });

  it('suppresses only when IoU is strictly greater than the threshold', () => {
    const boxes: Box[] = [[0, 0, 20, 10, 0.9, 0], [0, 0, 10, 10, 0.8, 0]]; // IoU = 100/200 = 0.5
    expect(nms(cands(boxes), opts({ iouThreshold: 0.5 }))).toHaveLength(2);
    expect(nms(cands(boxes), opts({ iouThreshold: 0.49 }))).toHaveLength(1);
  });

  it('class-aware keeps overlapping boxes of different classes; class-agnostic does not', () => {
    const boxes: Box[] = [[0, 0, 10, 10, 0.9, 0], [0, 0, 10, 10, 0.8, 1], [0, 0, 10, 10, 0.7, 0]];
    expect(nms(cands(boxes), opts()).map((d) => d.classIndex)).toEqual([0, 1]);
    expect(nms(cands(boxes), opts({ classAware: false })).map((d) => d.classIndex)).toEqual([0]);
  });

  it('keeps the top maxDetections by score', () => {
    const boxes: Box[] = Array.from({ length: 50 }, (_, i) => [i * 20, 0, i * 20 + 10, 10, (i + 1) / 100, i % 3] as Box);
    const out = nms(cands(boxes), opts({ maxDetections: 7 }));
    expect(out).toHaveLength(7);
    expect(out.map((d) => Math.round(d.score * 100))).toEqual([50, 49, 48, 47, 46, 45, 44]);
  });

  it('breaks score ties by candidate order, so the earlier of two equal boxes wins', () => {
    const out = nms(cands([[50, 50, 60, 60, 0.5, 0], [0, 0, 10, 10, 0.5, 0], [1, 1, 11, 11, 0.5, 0], [200, 0, 210, 10, 0.5, 0]]), opts({ maxDetections: 3 }));
    expect(out.map((d) => d.bbox[0])).toEqual([50, 0, 200]);
  });

  it('clips to the image and drops boxes left with no area, without counting them', () => {
    const out = nms(
      cands([
        [-5, -5, 20, 30, 0.9, 0],
        [120, 10, 140, 20, 0.8, 1], // entirely right of a 100-wide image
        [90, 40, 130, 50, 0.7, 2],
        [10, 60, 20, 60, 0.6, 0], // zero height
        [50, 50, 60, 60, 0.5, 1],
      ]),
      opts({ imageWidth: 100, imageHeight: 80, maxDetections: 3 }),
    );
    expect(out.map((d) => d.bbox)).toEqual([[0, 0, 20, 30], [90, 40, 10, 10], [50, 50, 10, 10]]);
  });

  it('handles no candidates and thousands of them', () => {
    expect(nms(new Candidates(), opts())).toEqual([]);
    const many: Box[] = [];
    for (let i = 0; i < 5000; i++) many.push([(i % 100) * 10, Math.floor(i / 100) * 10, (i % 100) * 10 + 12, Math.floor(i / 100) * 10 + 12, ((i * 7919) % 5000) / 5000, i % 80]);
    const out = nms(cands(many), opts({ iouThreshold: 0.65, maxDetections: 100 }));
    expect(out).toHaveLength(100);
    for (let k = 1; k < out.length; k++) expect(out[k].score).toBeLessThanOrEqual(out[k - 1].score);
  });
});
