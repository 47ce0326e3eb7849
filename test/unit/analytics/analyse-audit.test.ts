import { describe, expect, it } from 'vitest';
import {
  accumulate,
  evaluate,
  indexGroundTruth,
  loadResults,
  summarize,
  type Evaluation,
  type ImageEval,
} from '../../../src/engine/cocoeval/cocoeval';
import { analyseAudit, type AuditAnalysisInput } from '../../../src/engine/analytics/analyse-audit';
import { quantileSorted, resampleWeights } from '../../../src/engine/analytics/bootstrap';
import { buildCellMatches, serializeCellMatches, type CellMatches } from '../../../src/engine/analytics/cell-matches';
import { auditAnalysisSchema, type AuditAnalysis, type ConditionRef, type Estimate } from '../../../src/shared/audit-results';
import { OdraError } from '../../../src/shared/errors';
import { randomCase, randomDetections } from './random-cases';
import { tinyCell, type TinyClass } from './tiny-audit';

// ---------------------------------------------------------------------------------
// A tiny audit checked by hand. 12 images; car on all 12, pedestrian on 1-4, cyclist
// on 1-8. Class AP = level / 10 (tiny-audit.ts); overall AP = mean over the classes.

const images = Array.from({ length: 12 }, (_, i) => i + 1);
const classes: TinyClass[] = [
  { id: 1, name: 'car', images },
  { id: 2, name: 'pedestrian', images: images.slice(0, 4) },
  { id: 3, name: 'cyclist', images: images.slice(0, 8) },
];
const conditions: ConditionRef[] = [
  { corruption: 'gaussian_noise', severity: 3 },
  { corruption: 'speckle_noise', severity: 1 },
  { corruption: 'clean', severity: 0 },
  { corruption: 'defocus_blur', severity: 2 },
  { corruption: 'gaussian_noise', severity: 1 },
];
/** levels [car, pedestrian, cyclist] per condition, keyed `corruption/severity` */
type Levels = Record<string, [number, number, number]>;
const baseLevels: Levels = {
  'clean/0': [8, 6, 7], // P = 21/30 = 0.7
  'gaussian_noise/1': [4, 2, 6], // 0.4
  'gaussian_noise/3': [2, 0, 2], // 0.1333
  'defocus_blur/2': [6, 6, 6], // 0.6
  'speckle_noise/1': [5, 1, 3], // 0.3 (held out)
};
const worseLevels: Levels = {
  'clean/0': [7, 6, 7],
  'gaussian_noise/1': [3, 2, 5],
  'gaussian_noise/3': [1, 0, 2],
  'defocus_blur/2': [6, 6, 6],
  'speckle_noise/1': [5, 1, 3],
};

function tinyAudit(levelsPerModel: Levels[], options: Partial<AuditAnalysisInput['options']> = {}, asBytes = false): AuditAnalysis {
  const cells: (CellMatches | Uint8Array)[][] = levelsPerModel.map((lv) =>
    conditions.map((c) => {
      const rec = tinyCell(images, classes, lv[`${c.corruption}/${c.severity}`]);
      return asBytes ? serializeCellMatches(rec) : rec;
    }),
  );
  return analyseAudit({
    models: levelsPerModel.map((_, i) => ({ id: 10 + i, name: `m${i}`, sha256: `sha-${i}` })),
    conditions,
    categories: classes.map(({ id, name }) => ({ id, name })),
    cell: (m, c) => cells[m][c],
    options: { seed: 3, resamples: 200, minGtForWorst: 5, ...options },
  });
}

const close = (e: Estimate | { value: number | null }, v: number): void => {
  expect(e.value).not.toBeNull();
  expect(e.value as number).toBeCloseTo(v, 12);
};
const degenerate = (e: Estimate, v: number): void => {
  close(e, v);
  expect(e.ci95?.[0]).toBeCloseTo(v, 12);
  expect(e.ci95?.[1]).toBeCloseTo(v, 12);
};

describe('analyseAudit on a hand-checked audit', () => {
  const result = tinyAudit([baseLevels, baseLevels, worseLevels]);
  const [base, same, worse] = result.models;

  it('lists conditions clean first in catalogue order, and the categories with their GT counts', () => {
    expect(result.conditions.map((c) => `${c.corruption}/${c.severity}/${c.role}`)).toEqual([
      'clean/0/clean', 'gaussian_noise/1/benchmark', 'gaussian_noise/3/benchmark', 'defocus_blur/2/benchmark', 'speckle_noise/1/held-out',
    ]);
    expect(result.images).toBe(12);
    expect(result.categories.map((c) => [c.name, c.gt_count, c.num_gt, c.worst_eligible])).toEqual([
      ['car', 12, 12, true], ['pedestrian', 4, 4, false], ['cyclist', 8, 8, true],
    ]);
    expect(base.baseline).toBe(true);
    expect(auditAnalysisSchema.parse(result)).toEqual(result);
  });

  it('computes P, mPC and rPC with the conditions they cover', () => {
    close(base.P, 0.7);
    close(base.mPC, (12 + 4 + 18) / 90); // (0.4 + 0.1333 + 0.6) / 3
    close(base.rPC, 34 / 90 / 0.7);
    expect(base.mPC).toMatchObject({ n_conditions: 3, n_suite: 75, complete: false });
    close(base.mPC_heldout, 0.3);
    close(base.rPC_heldout, 0.3 / 0.7);
    expect(base.mPC_heldout).toMatchObject({ n_conditions: 1, n_suite: 20, complete: false });
  });

  it('gives per-class P, mPC, rPC (the class AP does not depend on which images are drawn)', () => {
    const [car, ped, cyc] = base.classes;
    degenerate(car.P, 0.8);
    degenerate(car.mPC, 0.4);
    degenerate(car.rPC, 0.5);
    degenerate(ped.P, 0.6);
    degenerate(ped.mPC, 8 / 30);
    degenerate(ped.rPC, 8 / 30 / 0.6);
    degenerate(cyc.P, 0.7);
    degenerate(cyc.mPC, 14 / 30);
    degenerate(cyc.rPC, 14 / 30 / 0.7);
    degenerate(cyc.mPC_heldout, 0.3);
  });

  it('gives each corruption its mean, drops and severity curve, and each family its benchmark conditions', () => {
    const gn = base.corruptions.find((c) => c.corruption === 'gaussian_noise');
    expect(gn?.severities).toEqual([1, 3]);
    close(gn?.AP ?? { value: null }, 8 / 30);
    close(gn?.drop ?? { value: null }, 0.7 - 8 / 30);
    close(gn?.drop_rel ?? { value: null }, (0.7 - 8 / 30) / 0.7);
    expect(gn?.curve.map((p) => [p.severity, p.AP.value])).toEqual([[1, expect.closeTo(0.4, 12)], [3, expect.closeTo(4 / 30, 12)]]);
    expect(base.corruptions.map((c) => [c.corruption, c.role])).toEqual([
      ['gaussian_noise', 'benchmark'], ['defocus_blur', 'benchmark'], ['speckle_noise', 'held-out'],
    ]);
    expect(base.families.map((f) => [f.family, f.corruptions, f.n_conditions, f.n_suite])).toEqual([
      ['noise', ['gaussian_noise'], 2, 15], ['blur', ['defocus_blur'], 1, 20],
    ]);
    close(base.families[0].AP, 8 / 30); // speckle noise is held out: not in the noise family's mean
    close(base.families[1].drop_rel, 0.1 / 0.7);
  });

  it('finds the worst class among classes with enough GT and says how many were skipped', () => {
    // pedestrian (4 GT) is below the minimum of 5
    expect(base.worst_class).toMatchObject({ min_gt: 5, eligible: 3 - 1, skipped: 1, without_gt: 0 });
    expect(base.worst_class.by_AP?.name).toBe('cyclist'); // 0.7 < car 0.8
    degenerate(base.worst_class.by_AP?.value as Estimate, 0.7);
    expect(base.worst_class.by_mPC?.name).toBe('car'); // 0.4 < cyclist 0.467
    expect(base.worst_class.by_rPC?.name).toBe('car'); // 0.5 < cyclist 0.667
    const all = tinyAudit([baseLevels], { minGtForWorst: 0, resamples: 0 }).models[0].worst_class;
    expect([all.by_AP?.name, all.by_mPC?.name, all.by_rPC?.name]).toEqual(['pedestrian', 'pedestrian', 'pedestrian']);
    expect(all.skipped).toBe(0);
  });

  it('relates class frequency to AP and rPC and marks the rarest third', () => {
    // counts 12, 4, 8; P 0.8, 0.6, 0.7: same ranks -> 1; rPC 0.5, 0.444, 0.667: d = (1, 0, -1) -> 1 - 6*2/24
    expect(base.imbalance).toEqual({ spearman_AP: expect.closeTo(1, 12), spearman_rPC: expect.closeTo(0.5, 12), n_AP: 3, n_rPC: 3 });
    expect(result.imbalance).toMatchObject({ count_source: 'ground-truth', n_classes: 3, tail_classes: [2] });
    // training counts reverse the order of car and pedestrian: ranks (1, 3, 2) vs P (3, 1, 2) -> -1
    const trained = tinyAudit([baseLevels], { classCounts: { car: 100, pedestrian: 5000, cyclist: 300, bus: 7 }, resamples: 0 });
    expect(trained.models[0].imbalance.spearman_AP).toBeCloseTo(-1, 12);
    expect(trained.imbalance).toMatchObject({ count_source: 'training-set', tail_classes: [1] });
    expect(trained.categories.map((c) => c.train_count)).toEqual([100, 5000, 300]);
  });

  it('gives an identical model zero deltas, with zero-width intervals, not significant', () => {
    expect(same.baseline).toBe(false);
    for (const d of [same.delta?.P, same.delta?.mPC, same.delta?.rPC, same.delta?.worst_class_AP]) {
      expect(d).toEqual({ value: 0, ci95: [0, 0], significant: false });
    }
    for (const c of same.conditions) for (const k of c.per_class) expect(k.delta_AP).toEqual({ value: 0, ci95: [0, 0], significant: false });
  });

  it('gives a worse model negative deltas, significant where every resample agrees', () => {
    const d = worse.delta;
    expect(d?.baseline_id).toBe(10);
    close(d?.P ?? { value: null }, 20 / 30 - 0.7);
    expect(d?.P.significant).toBe(true);
    close(d?.mPC ?? { value: null }, (10 + 3 + 18) / 90 - 34 / 90);
    expect(d?.mPC.significant).toBe(true);
    // worst class AP: 0.7 in both (cyclist; car ties at 0.7 in the worse model)
    expect(d?.worst_class_AP).toEqual({ value: 0, ci95: [0, 0], significant: false });
    const [car, ped] = worse.classes;
    expect(car.delta?.P).toEqual({ value: expect.closeTo(-0.1, 12), ci95: [expect.closeTo(-0.1, 12), expect.closeTo(-0.1, 12)], significant: true });
    expect(ped.delta?.P).toEqual({ value: 0, ci95: [0, 0], significant: false });
    const gn3 = worse.conditions.find((c) => c.corruption === 'gaussian_noise' && c.severity === 3);
    expect(gn3?.per_class[0].delta_AP?.value).toBeCloseTo(-0.1, 12);
    expect(gn3?.per_class[0].delta_AP?.significant).toBe(true);
    // gaussian noise: worse (10/30 + 3/30) / 2 vs base (12/30 + 4/30) / 2; drop_rel 13.5/20 vs 13/21
    expect(worse.corruptions[0].delta_AP?.value).toBeCloseTo(6.5 / 30 - 8 / 30, 12);
    expect(worse.corruptions[0].delta_drop_rel?.value).toBeCloseTo(13.5 / 20 - 13 / 21, 12);
    expect(base.delta).toBeNull();
    expect(base.conditions[0].delta_AP).toBeNull();
  });

  it('gives null intervals and significance with the bootstrap off, and the same values', () => {
    const off = tinyAudit([baseLevels, worseLevels], { resamples: 0 });
    const on = tinyAudit([baseLevels, worseLevels], { resamples: 50 });
    expect(off.models[1].P).toEqual({ value: on.models[1].P.value, ci95: null });
    expect(off.models[1].delta?.P).toEqual({ value: on.models[1].delta?.P.value, ci95: null, significant: null });
    expect(off.models[1].conditions[2].per_class[1].AP.ci95).toBeNull();
    expect(off.bootstrap.resamples).toBe(0);
  });

  it('reads stored bytes exactly like built records, and is fixed by the seed', () => {
    const built = tinyAudit([baseLevels, worseLevels], { resamples: 40, seed: 9 });
    expect(tinyAudit([baseLevels, worseLevels], { resamples: 40, seed: 9 }, true)).toEqual(built);
  });
});

describe('analyseAudit input checks', () => {
  const rec = tinyCell(images, classes, [8, 6, 7]);
  const input = (over: Partial<AuditAnalysisInput>): AuditAnalysisInput => ({
    models: [{ id: 1, name: 'a', sha256: 'x' }, { id: 2, name: 'b', sha256: 'y' }],
    conditions: [{ corruption: 'clean', severity: 0 }, { corruption: 'fog', severity: 1 }],
    categories: classes.map(({ id, name }) => ({ id, name })),
    cell: () => rec,
    options: { seed: 1, resamples: 0 },
    ...over,
  });
  const message = (over: Partial<AuditAnalysisInput>): string => {
    try {
      analyseAudit(input(over));
    } catch (err) {
      expect(err).toBeInstanceOf(OdraError);
      expect((err as OdraError).code).toBe('BAD_INPUT');
      return (err as OdraError).message;
    }
    throw new Error('expected an error');
  };

  it('takes the first model as baseline unless one is marked, and refuses two', () => {
    const r = analyseAudit(input({ models: [{ id: 1, name: 'a', sha256: 'x' }, { id: 2, name: 'b', sha256: 'y', baseline: true }] }));
    expect(r.models.map((m) => m.baseline)).toEqual([false, true]);
    expect(analyseAudit(input({})).models.map((m) => m.baseline)).toEqual([true, false]);
    expect(message({ models: [{ id: 1, name: 'a', sha256: 'x', baseline: true }, { id: 2, name: 'b', sha256: 'y', baseline: true }] })).toMatch(/2 models are marked baseline/);
    expect(message({ models: [] })).toMatch(/no models/);
  });

  it('names the cell that covers other images or other ground truth', () => {
    const fewer = tinyCell(images.slice(0, 11), classes, [8, 6, 7]);
    expect(message({ cell: (m, c) => (m === 1 && c === 1 ? fewer : rec) })).toMatch(/model "b" under fog 1: covers other images/);
    const otherGt = tinyCell(images, [classes[0], { ...classes[1], images: images.slice(0, 3) }, classes[2]], [8, 6, 7]);
    expect(message({ cell: (m) => (m === 1 ? otherGt : rec) })).toMatch(/model "b" under clean: scores other ground truth/);
  });

  it('reports progress per cell and stops when cancelled', () => {
    const seen: string[] = [];
    analyseAudit(input({ onProgress: (done, total) => seen.push(`${done}/${total}`) }));
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const controller = new AbortController();
    let read = 0;
    const cancelled = (): unknown => {
      try {
        return analyseAudit(input({ signal: controller.signal, cell: () => (++read === 2 && controller.abort(), rec) }));
      } catch (err) {
        return err;
      }
    };
    expect(cancelled()).toMatchObject({ code: 'CANCELLED' });
    expect(read).toBe(2);
  });

  it('refuses categories that are not the records\' and class counts that miss a class', () => {
    expect(message({ categories: [{ id: 1, name: 'car' }, { id: 3, name: 'cyclist' }] })).toMatch(/not listed: 2/);
    let read = 0;
    const counting = (): CellMatches => (read++, rec);
    expect(message({ cell: counting, options: { seed: 1, resamples: 0, classCounts: { car: 5 } } })).toMatch(/lack 2 categories: pedestrian, cyclist/);
    expect(read).toBe(1); // found before any cell is scored
  });
});

// ---------------------------------------------------------------------------------
// A random audit, re-derived independently: for the audit's images and for every
// resample, each cell's AP comes from the evaluator (accumulate + summarize on the
// expanded multiset of per-image evaluations), the statistics from their definitions,
// the intervals from the resampled values. Everything must agree exactly.

describe('analyseAudit against the evaluator on every resample', () => {
  const { gt } = randomCase(21, { images: 30, categories: 4, maxGt: 7, maxDets: 1, scoreLevels: 5 });
  const gtIndex = indexGroundTruth(gt);
  const auditConditions: ConditionRef[] = [
    { corruption: 'fog', severity: 3 },
    { corruption: 'clean', severity: 0 },
    { corruption: 'saturate', severity: 1 },
    { corruption: 'gaussian_noise', severity: 2 },
  ];
  const canonical = [1, 3, 0, 2]; // clean, gaussian_noise 2, fog 3, saturate 1
  const benchmark = [3, 0]; // input indices in canonical order
  const quality = [0.9, 0.6, 0.75, 0.5];
  const evals: Evaluation[][] = [0, 1].map((m) =>
    auditConditions.map((_, c) =>
      evaluate(gtIndex, loadResults(gtIndex, randomDetections(gt, 100 * m + c, { recall: quality[c] - 0.2 * m, jitter: 0.1, fps: 2, scoreLevels: 6 }))),
    ),
  );
  const B = 25;
  const seed = 77;
  const minGt = 6;
  const result = analyseAudit({
    models: [{ id: 1, name: 'base', sha256: 'a' }, { id: 2, name: 'small', sha256: 'b' }],
    conditions: auditConditions,
    categories: gt.categories,
    cell: (m, c) => buildCellMatches(evals[m][c].setup, evals[m][c].images),
    options: { seed, resamples: B, minGtForWorst: minGt },
  });

  const setup = evals[0][0].setup;
  const N = setup.imgIds.length;
  const K = setup.K;
  const weights = resampleWeights(N, B, seed);
  const gtCount = result.categories.map((c) => c.gt_count);

  /** per row (0 = audit, 1..B resamples): [model][input condition] -> {ap, perCat} */
  const rowsAp = Array.from({ length: B + 1 }, (_, r) =>
    evals.map((cells) =>
      cells.map((ev) => {
        const byId = new Map(ev.images.map((e) => [e.imageId, e]));
        const multiset: ImageEval[] = [];
        ev.setup.imgIds.forEach((id, i) => {
          const e = byId.get(id);
          const w = r === 0 ? 1 : weights[(r - 1) * N + i];
          if (e) for (let c = 0; c < w; c++) multiset.push(e);
        });
        const s = summarize(accumulate(multiset, ev.setup));
        return { ap: s.stats.AP === -1 ? NaN : s.stats.AP, perCat: s.per_category.map((p) => p.AP ?? NaN) };
      }),
    ),
  );
  const meanOf = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
  const stats = (r: number, m: number): { P: number; mPC: number; rPC: number; worstAP: number; cP: number[]; cMPC: number[] } => {
    const cells = rowsAp[r][m];
    const P = cells[1].ap;
    const mPC = meanOf(benchmark.map((c) => cells[c].ap));
    const cP = Array.from({ length: K }, (_, k) => cells[1].perCat[k]);
    const cMPC = Array.from({ length: K }, (_, k) => meanOf(benchmark.map((c) => cells[c].perCat[k])));
    const eligible = cP.filter((v, k) => gtCount[k] >= minGt && !Number.isNaN(v));
    return { P, mPC, rPC: P > 0 ? mPC / P : NaN, worstAP: eligible.length ? Math.min(...eligible) : NaN, cP, cMPC };
  };
  const interval = (f: (r: number) => number): [number, number] | null => {
    const v = Float64Array.from({ length: B }, (_, b) => f(b + 1)).filter((x) => !Number.isNaN(x)).sort();
    return v.length ? [quantileSorted(v, v.length, 0.025), quantileSorted(v, v.length, 0.975)] : null;
  };
  const expectEstimate = (e: Estimate, f: (r: number) => number): void => {
    const v = f(0);
    expect({ value: e.value, ci95: e.ci95 }).toEqual({ value: Number.isNaN(v) ? null : v, ci95: interval(f) });
  };

  it('has real spread to test (the intervals are not degenerate)', () => {
    const ci = result.models[0].P.ci95 as [number, number];
    expect(ci[1] - ci[0]).toBeGreaterThan(0.01);
    // the worse model's deltas vary between resamples too
    const dci = result.models[1].delta?.mPC.ci95 as [number, number];
    expect(dci[1] - dci[0]).toBeGreaterThan(0.01);
  });

  it('equals the evaluator on the audit images: stats.AP and per-category AP of every cell, bit for bit', () => {
    for (let m = 0; m < 2; m++) {
      canonical.forEach((c, j) => {
        const cell = result.models[m].conditions[j];
        expect(cell.AP.value).toBe(rowsAp[0][m][c].ap);
        cell.per_class.forEach((p, k) => expect(p.AP.value).toBe(Number.isNaN(rowsAp[0][m][c].perCat[k]) ? null : rowsAp[0][m][c].perCat[k]));
      });
    }
  });

  it('gives P, mPC, rPC, worst-class AP and per-class values with the evaluator\'s resampled intervals', () => {
    for (let m = 0; m < 2; m++) {
      const model = result.models[m];
      expectEstimate(model.P, (r) => stats(r, m).P);
      expectEstimate(model.mPC, (r) => stats(r, m).mPC);
      expectEstimate(model.rPC, (r) => stats(r, m).rPC);
      expectEstimate(model.worst_class.by_AP?.value as Estimate, (r) => stats(r, m).worstAP);
      for (let k = 0; k < K; k++) {
        expectEstimate(model.classes[k].P, (r) => stats(r, m).cP[k]);
        expectEstimate(model.classes[k].mPC, (r) => stats(r, m).cMPC[k]);
      }
      canonical.forEach((c, j) => expectEstimate(model.conditions[j].AP, (r) => rowsAp[r][m][c].ap));
    }
  });

  it('gives every delta from the same resampled images for both models', () => {
    const d = result.models[1].delta;
    const delta = (f: (r: number, m: number) => number) => (r: number): number => f(r, 1) - f(r, 0);
    const expectDelta = (got: Estimate & { significant: boolean | null }, f: (r: number) => number): void => {
      const { significant, ...e } = got;
      expectEstimate(e, f);
      expect(significant).toBe(e.ci95 ? e.ci95[0] > 0 || e.ci95[1] < 0 : null);
    };
    expectDelta(d?.P as never, delta((r, m) => stats(r, m).P));
    expectDelta(d?.mPC as never, delta((r, m) => stats(r, m).mPC));
    expectDelta(d?.rPC as never, delta((r, m) => stats(r, m).rPC));
    expectDelta(d?.worst_class_AP as never, delta((r, m) => stats(r, m).worstAP));
    canonical.forEach((c, j) => {
      for (let k = 0; k < K; k++) {
        expectDelta(result.models[1].conditions[j].per_class[k].delta_AP as never, delta((r, m) => rowsAp[r][m][c].perCat[k]));
      }
    });
  });
});
