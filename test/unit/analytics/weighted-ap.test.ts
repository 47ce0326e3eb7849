import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  evaluate,
  indexGroundTruth,
  loadResults,
  summarize,
  type CocoDetection,
  type CocoEvalResult,
  type CocoGroundTruth,
  type Evaluation,
  type ImageEval,
} from '../../../src/engine/cocoeval/cocoeval';
import { buildCellMatches } from '../../../src/engine/analytics/cell-matches';
import { CellScorer, newCellAp, type CellAp } from '../../../src/engine/analytics/weighted-ap';
import { Rng } from '../../../src/shared/prng';
import { cocoevalFixturesDir, listCases, loadCase } from '../cocoeval/fixtures';
import { randomCase } from './random-cases';

const fixturesDir = cocoevalFixturesDir();
const cases = listCases(fixturesDir).filter((c) => c !== 'bench5k');

function evaluateAll(gt: CocoGroundTruth, dets: CocoDetection[]): Evaluation {
  const gtIndex = indexGroundTruth(gt);
  return evaluate(gtIndex, loadResults(gtIndex, dets));
}

/** The evaluator on the multiset: image i repeated weights[i] times, copies consecutive. */
function expandedResult(ev: Evaluation, weights: Int32Array): CocoEvalResult {
  const byId = new Map(ev.images.map((e) => [e.imageId, e]));
  const multiset: ImageEval[] = [];
  ev.setup.imgIds.forEach((id, i) => {
    const e = byId.get(id);
    if (e) for (let c = 0; c < weights[i]; c++) multiset.push(e);
  });
  return summarize(accumulate(multiset, ev.setup));
}

/** Bitwise equality with pycocotools' numbers; null (-1 there) is NaN in CellAp. */
function expectSame(got: CellAp, want: CocoEvalResult): void {
  const asNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
  const asMinus1 = (v: number): number => (Number.isNaN(v) ? -1 : v);
  expect(Object.is(asMinus1(got.ap), want.stats.AP)).toBe(true);
  expect(Object.is(asMinus1(got.ap50), want.stats.AP50)).toBe(true);
  want.per_category.forEach((c, k) => {
    expect([c.id, asNull(got.apPerCat[k])]).toStrictEqual([c.id, c.AP]);
    expect([c.id, asNull(got.ap50PerCat[k])]).toStrictEqual([c.id, c.AP50]);
  });
}

function randomWeights(rng: Rng, n: number, max: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(0, max + 1));
}

/** A bootstrap resample's counts: n draws with replacement. */
function multinomialWeights(rng: Rng, n: number): Int32Array {
  const w = new Int32Array(n);
  for (let i = 0; i < n; i++) w[rng.int(0, n)]++;
  return w;
}

describe('AP from the compact record, pycocotools fixtures', () => {
  describe.each(cases)('%s', (name) => {
    const { gt, dets } = loadCase(path.join(fixturesDir, name));
    const ev = evaluateAll(gt, dets);
    const rec = buildCellMatches(ev.setup, ev.images);
    const scorer = new CellScorer(rec);
    const N = ev.setup.imgIds.length;

    it('equals summarize() bit for bit with every image once', () => {
      const out = newCellAp(rec.K);
      scorer.score(null, 0, out);
      expectSame(out, summarize(accumulate(ev.images, ev.setup)));
      // explicit unit weights are the same thing
      const ones = new Int32Array(N).fill(1);
      const out1 = newCellAp(rec.K);
      scorer.score(ones, 0, out1);
      expect(out1).toStrictEqual(out);
    });

    it('equals accumulate() on the expanded multiset for integer weights', () => {
      const rng = new Rng(7);
      for (let trial = 0; trial < 6; trial++) {
        const w = trial % 2 === 0 ? multinomialWeights(rng, N) : randomWeights(rng, N, 3);
        const out = newCellAp(rec.K);
        scorer.score(w, 0, out);
        expectSame(out, expandedResult(ev, w));
      }
    });

    it('reads weights at an offset in a matrix of resamples', () => {
      const rng = new Rng(11);
      const matrix = new Int32Array(3 * N);
      for (let b = 0; b < 3; b++) matrix.set(multinomialWeights(rng, N), b * N);
      const out = newCellAp(rec.K);
      scorer.score(matrix, 2 * N, out);
      expectSame(out, expandedResult(ev, matrix.subarray(2 * N, 3 * N)));
    });
  });

  it('covers score ties across images, within images and across copies', () => {
    // edge_cases: equal scores on images 101 / 952 and within image 952 (see its README)
    const { gt, dets } = loadCase(path.join(fixturesDir, 'edge_cases'));
    const scores = new Map<string, number>();
    let ties = 0;
    for (const d of dets) {
      const key = `${d.category_id}:${d.score}`;
      scores.set(key, (scores.get(key) ?? 0) + 1);
    }
    for (const c of scores.values()) if (c > 1) ties++;
    expect(ties).toBeGreaterThan(0);
    // weight 2 on image 952 only: its two equal-score person detections on one GT repeat
    // as a block (TP-at-0.55 first, then the other), not detection by detection
    const ev = evaluateAll(gt, dets);
    const w = new Int32Array(ev.setup.imgIds.length).fill(1);
    w[ev.setup.imgIndex.get(952) as number] = 2;
    const out = newCellAp(ev.setup.K);
    new CellScorer(buildCellMatches(ev.setup, ev.images)).score(w, 0, out);
    expectSame(out, expandedResult(ev, w));
  });
});

describe('AP from the compact record, random cases with many ties', () => {
  it.each([
    [1, { images: 12, categories: 3, maxGt: 6, maxDets: 14, scoreLevels: 3 }],
    [2, { images: 40, categories: 5, maxGt: 8, maxDets: 30, scoreLevels: 6 }],
    [3, { images: 25, categories: 2, maxGt: 4, maxDets: 120, scoreLevels: 4 }],
    [4, { images: 60, categories: 8, maxGt: 10, maxDets: 25, scoreLevels: 1000 }],
    [5, { images: 8, categories: 1, maxGt: 3, maxDets: 10, scoreLevels: 1 }],
  ])('seed %i: unit and integer weights equal the evaluator', (seed, opts) => {
    const { gt, dets } = randomCase(seed, opts);
    const ev = evaluateAll(gt, dets);
    const rec = buildCellMatches(ev.setup, ev.images);
    const scorer = new CellScorer(rec);
    const N = ev.setup.imgIds.length;
    const out = newCellAp(rec.K);
    scorer.score(null, 0, out);
    expectSame(out, summarize(accumulate(ev.images, ev.setup)));
    const rng = new Rng(100 + seed);
    for (let trial = 0; trial < 25; trial++) {
      const w = trial % 3 === 0 ? randomWeights(rng, N, 4) : multinomialWeights(rng, N);
      scorer.score(w, 0, out);
      expectSame(out, expandedResult(ev, w));
    }
  });

  it('gives NaN everywhere when the weights drop every GT', () => {
    const { gt, dets } = randomCase(9, { images: 10, categories: 2, maxGt: 3, maxDets: 5, scoreLevels: 3 });
    const ev = evaluateAll(gt, dets);
    const scorer = new CellScorer(buildCellMatches(ev.setup, ev.images));
    const out = newCellAp(ev.setup.K);
    scorer.score(new Int32Array(ev.setup.imgIds.length), 0, out);
    expect(out.ap).toBeNaN();
    expect([...out.apPerCat].every(Number.isNaN)).toBe(true);
    expectSame(out, expandedResult(ev, new Int32Array(ev.setup.imgIds.length)));
  });
});
