/**
 * analyseAudit: every number of an audit's analysis, with paired-bootstrap intervals,
 * from the cells' compact match records (cell-matches.ts). The result schema and its
 * conventions: src/shared/audit-results.ts.
 *
 * Input: models (id, name, sha256, baseline flag: at most one; none = the first model),
 * conditions (clean once, any corruption x severity), categories (id, name; exactly the
 * records' categories), a function giving the record of (model, condition) (called once
 * per cell, so the caller can read records from the store one at a time), options
 * (resamples, seed, minGtForWorst, classCounts by category name).
 *
 * Per cell: AP and per-class AP / AP50 (weighted-ap.ts, equal to the evaluator's).
 * Per model: robustness (robustness.ts: P, mPC, rPC, held-out mPC / rPC, per corruption
 * and per family drops and severity curves), per class P / mPC / rPC / held-out mPC, the
 * worst class (worst-class.ts), imbalance (imbalance.ts: Spearman of count vs clean AP
 * and vs rPC, tail classes; point values only).
 * Compressed vs baseline, per non-baseline model: delta = model - baseline of P, mPC,
 * rPC, held-out mPC, worst-class AP / mPC / rPC (each model's own worst class), per class
 * P / mPC / rPC, per corruption AP and drop_rel, per family AP and drop_rel, per cell AP
 * and per class x cell AP.
 *
 * Intervals (bootstrap.ts): B resamples of the images, the same for every model and
 * condition. Each statistic is computed by the SAME code for the audit's own images
 * ("row 0": every weight 1) and for every resample (rows 1..B), so point values and
 * resampled values are the same function of the images. Resample b's numbers come from
 * re-accumulating each cell's record with weights w_b: the matching is never re-run.
 *
 * Work: condition by condition, each cell's record is scored for row 0 and all B
 * resamples while it is in cache; memory holds one condition's per-class values
 * (models x (B+1) x (K+1)), each cell's overall AP per row, per class running sums over
 * conditions, and the summary statistics per row (a few hundred per model), never every
 * cell x class x resample.
 */
import {
  analysisOptionsSchema,
  auditAnalysisSchema,
  type AnalysisModel,
  type AuditAnalysis,
  type ConditionRef,
  type Delta,
  type Estimate,
} from '../../shared/audit-results';
import { badInput, OdraError } from '../../shared/errors';
import type { AnalysisOptions } from '../../shared/audit-results';
import { deserializeCellMatches, incompatibility, type CellMatches } from './cell-matches';
import { CellScorer, newCellAp, type CellAp } from './weighted-ap';
import { interval95, resampleWeights, significant } from './bootstrap';
import { BENCHMARK_SUITE, HELD_OUT_SUITE, drops, meanOver, planConditions, ratio, type ConditionPlan } from './robustness';
import { lowestClass, worstEligibility, type WorstEligibility } from './worst-class';
import { spearman, tailClasses, TAIL_RULE } from './imbalance';

export interface AuditAnalysisInput {
  models: readonly AnalysisModel[];
  conditions: readonly ConditionRef[];
  categories: readonly { id: number; name: string }[];
  /** the record of models[model] under conditions[condition], as built or as stored bytes */
  cell: (model: number, condition: number) => CellMatches | Uint8Array;
  options: AnalysisOptions;
  /** called after each cell with cells done / total */
  onProgress?: (done: number, total: number) => void;
  /** checked before each cell: an aborted analysis throws OdraError CANCELLED */
  signal?: AbortSignal;
}

const METHOD =
  'paired nonparametric bootstrap over images (the same resampled image multisets for every model and condition; ' +
  'resample b draws N images with replacement using Rng(fnv1a32("odra-bootstrap:<seed>:<b>")).int(0, N)); ' +
  '95% percentile interval, numpy quantile method "linear", over the resamples where the statistic is defined';

/** Slot indices of one model's summary statistics in a row (see deriveRow). */
interface ModelSlots {
  P: number; mPC: number; rPC: number; mPCh: number; rPCh: number;
  worstP: number; worstMPC: number; worstRPC: number;
  /** bases, + k */
  cP: number; cMPC: number; cRPC: number; cMPCh: number;
  /** bases, + corruption group index */
  corrAP: number; corrDrop: number; corrRel: number;
  /** bases, + family group index */
  famAP: number; famDrop: number; famRel: number;
}
interface DeltaSlots {
  P: number; mPC: number; rPC: number; mPCh: number;
  worstP: number; worstMPC: number; worstRPC: number;
  cP: number; cMPC: number; cRPC: number;
  corrAP: number; corrRel: number; famAP: number; famRel: number;
}

export function analyseAudit(input: AuditAnalysisInput): AuditAnalysis {
  const opts = analysisOptionsSchema.parse(input.options);
  const models = checkModels(input.models);
  const baseIdx = models.findIndex((m) => m.baseline);
  const plan = planConditions(input.conditions);
  const M = models.length;
  const C = plan.conditions.length;
  const B = opts.resamples;
  const rows = B + 1;

  // ---- cells, condition by condition --------------------------------------------
  let ref: CellMatches | null = null;
  let weights: Int32Array = new Int32Array(0);
  let K = 0;
  let N = 0;
  /** [M][C][rows] overall AP of each cell */
  let cellAp = new Float64Array(0);
  /** [M][K][rows] per class: clean AP, sum over benchmark / held-out conditions */
  let classClean = new Float64Array(0);
  let classBench = new Float64Array(0);
  let classHeld = new Float64Array(0);
  /** point-only values of each cell of the current condition (the per-resample block is dropped after it) */
  const cellOut: { ap50: number; ap50PerCat: Float64Array; numDets: Uint32Array }[] = [];
  const cellResults: AuditAnalysis['models'][number]['conditions'][] = Array.from({ length: M }, () => []);
  let scratch = new Float64Array(0);
  let done = 0;
  const catNames = new Map(input.categories.map((c) => [c.id, c.name]));
  let names: string[] = [];
  let trainCounts: number[] | null = null;

  for (let c = 0; c < C; c++) {
    const cond = plan.conditions[c];
    const blocks: Float64Array[] = [];
    for (let m = 0; m < M; m++) {
      const label = `cell record of model "${models[m].name}" under ${cond.corruption}${cond.severity ? ` ${cond.severity}` : ''}`;
      if (input.signal?.aborted) throw new OdraError('CANCELLED', 'the audit analysis was cancelled');
      const raw = input.cell(m, cond.input);
      const rec = raw instanceof Uint8Array ? deserializeCellMatches(raw, label) : raw;
      if (ref === null) {
        ref = rec;
        K = rec.K;
        N = rec.N;
        checkCategories(input.categories, rec);
        // before any scoring: a bad count file must not cost the whole analysis
        names = Array.from(rec.catIds, (id) => catNames.get(id) ?? '');
        trainCounts = opts.classCounts ? trainingCounts(opts.classCounts, names) : null;
        weights = resampleWeights(N, B, opts.seed);
        cellAp = new Float64Array(M * C * rows);
        classClean = new Float64Array(M * K * rows);
        classBench = new Float64Array(M * K * rows);
        classHeld = new Float64Array(M * K * rows);
        scratch = new Float64Array(rows);
      } else {
        checkSameAudit(ref, rec, label);
      }
      const { block, point } = scoreCell(rec, weights, B);
      cellOut[m] = { ap50: point.ap50, ap50PerCat: point.ap50PerCat, numDets: rec.numDets };
      blocks.push(block);
      for (let r = 0; r < rows; r++) {
        const o = r * (K + 1);
        cellAp[(m * C + c) * rows + r] = block[o + K];
        for (let k = 0; k < K; k++) {
          const v = block[o + k];
          const at = (m * K + k) * rows + r;
          if (cond.role === 'clean') classClean[at] = v;
          else if (cond.role === 'benchmark') classBench[at] += v;
          else classHeld[at] += v;
        }
      }
      input.onProgress?.(++done, M * C);
    }
    // per-cell results of this condition (the blocks are dropped afterwards)
    for (let m = 0; m < M; m++) {
      const block = blocks[m];
      const base = m === baseIdx ? null : blocks[baseIdx];
      const diff = base ? block.map((v, i) => v - base[i]) : null;
      const est = (arr: Float64Array, col: number): Estimate => ({
        value: orNull(arr[col]),
        ci95: B > 0 ? interval95(arr, K + 1 + col, K + 1, B, scratch) : null,
      });
      const o = cellOut[m];
      const catIds = rec0(ref).catIds;
      cellResults[m][c] = {
        corruption: cond.corruption,
        severity: cond.severity,
        AP: est(block, K),
        AP50: orNull(o.ap50),
        delta_AP: diff ? toDelta(est(diff, K)) : null,
        per_class: Array.from({ length: K }, (_, k) => ({
          id: catIds[k],
          AP: est(block, k),
          AP50: orNull(o.ap50PerCat[k]),
          num_dets: o.numDets[k],
          delta_AP: diff ? toDelta(est(diff, k)) : null,
        })),
      };
    }
  }
  if (ref === null) throw badInput('the audit has no models');

  // ---- per class facts --------------------------------------------------------------
  const gtCount = new Array<number>(K).fill(0);
  for (let k = 0; k < K; k++) for (let g = ref.gtStart[k]; g < ref.gtStart[k + 1]; g++) gtCount[k] += ref.gtCount[g];
  const worst = worstEligibility(gtCount, opts.minGtForWorst);

  // ---- summary statistics, one row per image set -----------------------------------
  const J = plan.corruptions.length;
  const F = plan.families.length;
  let S = 0;
  const take = (n = 1): number => {
    const s = S;
    S += n;
    return s;
  };
  const mSlots: ModelSlots[] = models.map(() => ({
    P: take(), mPC: take(), rPC: take(), mPCh: take(), rPCh: take(),
    worstP: take(), worstMPC: take(), worstRPC: take(),
    cP: take(K), cMPC: take(K), cRPC: take(K), cMPCh: take(K),
    corrAP: take(J), corrDrop: take(J), corrRel: take(J),
    famAP: take(F), famDrop: take(F), famRel: take(F),
  }));
  const dSlots: (DeltaSlots | null)[] = models.map((_, m) =>
    m === baseIdx
      ? null
      : {
          P: take(), mPC: take(), rPC: take(), mPCh: take(),
          worstP: take(), worstMPC: take(), worstRPC: take(),
          cP: take(K), cMPC: take(K), cRPC: take(K),
          corrAP: take(J), corrRel: take(J), famAP: take(F), famRel: take(F),
        },
  );
  const table = new Float64Array(rows * S);
  const ctx: RowContext = { plan, K, M, C, rows, cellAp, classClean, classBench, classHeld, worst, mSlots, dSlots, baseIdx };
  for (let r = 0; r < rows; r++) deriveRow(ctx, r, table.subarray(r * S, (r + 1) * S));

  const est = (slot: number): Estimate => ({
    value: orNull(table[slot]),
    ci95: B > 0 ? interval95(table, S + slot, S, B, scratch) : null,
  });
  const del = (slot: number): Delta => toDelta(est(slot));

  // ---- imbalance (point values) -------------------------------------------------------
  const withGt = gtCount.map((g) => g > 0);
  const countOf = (k: number): number => (trainCounts ? trainCounts[k] : gtCount[k]);
  const counts = Array.from({ length: K }, (_, k) => countOf(k));
  const tail = new Set(tailClasses(counts, withGt));
  const inImbalance = (k: number): boolean => withGt[k];

  const coverage = (n: number, suite: number): { n_conditions: number; n_suite: number; complete: boolean } => ({
    n_conditions: n,
    n_suite: suite,
    complete: n === suite,
  });
  const worstEntry = (slot: number, base: number): AuditAnalysis['models'][number]['worst_class']['by_AP'] => {
    const { k } = lowestClass(table, worst.eligible, base, 1);
    return k < 0 ? null : { id: ref.catIds[k], name: names[k], value: est(slot) };
  };

  const result: AuditAnalysis = {
    schema_version: 1,
    images: N,
    bootstrap: { resamples: B, seed: opts.seed, level: 0.95, method: METHOD },
    conditions: plan.conditions.map((c) => ({ corruption: c.corruption, severity: c.severity, family: c.family, role: c.role })),
    categories: Array.from({ length: K }, (_, k) => ({
      id: ref.catIds[k],
      name: names[k],
      gt_count: gtCount[k],
      num_gt: ref.numGt[k],
      train_count: trainCounts ? trainCounts[k] : null,
      tail: tail.has(k),
      worst_eligible: worst.eligible[k] === 1,
    })),
    imbalance: {
      count_source: trainCounts ? 'training-set' : 'ground-truth',
      n_classes: withGt.filter(Boolean).length,
      tail_classes: [...tail].sort((a, b) => a - b).map((k) => ref.catIds[k]),
      tail_rule: TAIL_RULE,
    },
    models: models.map((model, m) => {
      const s = mSlots[m];
      const d = dSlots[m];
      const pointP = Array.from({ length: K }, (_, k) => (inImbalance(k) ? table[s.cP + k] : NaN));
      const pointRPC = Array.from({ length: K }, (_, k) => (inImbalance(k) ? table[s.cRPC + k] : NaN));
      const rhoAP = spearman(counts, pointP);
      const rhoRPC = spearman(counts, pointRPC);
      return {
        id: model.id,
        name: model.name,
        sha256: model.sha256,
        baseline: m === baseIdx,
        P: est(s.P),
        mPC: { ...est(s.mPC), ...coverage(plan.benchmark.length, BENCHMARK_SUITE) },
        rPC: { ...est(s.rPC), ...coverage(plan.benchmark.length, BENCHMARK_SUITE) },
        mPC_heldout: { ...est(s.mPCh), ...coverage(plan.heldOut.length, HELD_OUT_SUITE) },
        rPC_heldout: { ...est(s.rPCh), ...coverage(plan.heldOut.length, HELD_OUT_SUITE) },
        worst_class: {
          min_gt: opts.minGtForWorst,
          eligible: worst.count,
          skipped: worst.skipped,
          without_gt: worst.withoutGt,
          by_AP: worstEntry(s.worstP, s.cP),
          by_mPC: worstEntry(s.worstMPC, s.cMPC),
          by_rPC: worstEntry(s.worstRPC, s.cRPC),
        },
        imbalance: { spearman_AP: rhoAP.rho, spearman_rPC: rhoRPC.rho, n_AP: rhoAP.n, n_rPC: rhoRPC.n },
        delta: d
          ? {
              baseline_id: models[baseIdx].id,
              P: del(d.P),
              mPC: del(d.mPC),
              rPC: del(d.rPC),
              mPC_heldout: del(d.mPCh),
              worst_class_AP: del(d.worstP),
              worst_class_mPC: del(d.worstMPC),
              worst_class_rPC: del(d.worstRPC),
            }
          : null,
        classes: Array.from({ length: K }, (_, k) => ({
          id: ref.catIds[k],
          P: est(s.cP + k),
          mPC: est(s.cMPC + k),
          rPC: est(s.cRPC + k),
          mPC_heldout: est(s.cMPCh + k),
          delta: d ? { P: del(d.cP + k), mPC: del(d.cMPC + k), rPC: del(d.cRPC + k) } : null,
        })),
        conditions: cellResults[m],
        corruptions: plan.corruptions.map((g, j) => ({
          corruption: g.corruption,
          family: g.family,
          role: g.role,
          severities: g.severities,
          AP: est(s.corrAP + j),
          drop: est(s.corrDrop + j),
          drop_rel: est(s.corrRel + j),
          curve: g.conditions.map((c) => ({ severity: plan.conditions[c].severity, AP: cellResults[m][c].AP })),
          delta_AP: d ? del(d.corrAP + j) : null,
          delta_drop_rel: d ? del(d.corrRel + j) : null,
        })),
        families: plan.families.map((g, f) => ({
          family: g.family,
          corruptions: g.corruptions,
          ...coverage(g.conditions.length, g.suite),
          AP: est(s.famAP + f),
          drop: est(s.famDrop + f),
          drop_rel: est(s.famRel + f),
          delta_AP: d ? del(d.famAP + f) : null,
          delta_drop_rel: d ? del(d.famRel + f) : null,
        })),
      };
    }),
  };
  return auditAnalysisSchema.parse(result);
}

interface RowContext {
  plan: ConditionPlan;
  K: number; M: number; C: number; rows: number;
  cellAp: Float64Array; classClean: Float64Array; classBench: Float64Array; classHeld: Float64Array;
  worst: WorstEligibility;
  mSlots: ModelSlots[];
  dSlots: (DeltaSlots | null)[];
  baseIdx: number;
}

/** Every summary statistic of image set r (0 = the audit's images, b+1 = resample b) into `row`. */
function deriveRow(x: RowContext, r: number, row: Float64Array): void {
  const { plan, K, C, rows } = x;
  const nb = plan.benchmark.length;
  const nh = plan.heldOut.length;
  for (let m = 0; m < x.M; m++) {
    const s = x.mSlots[m];
    const apOff = m * C * rows + r; // cellAp of condition c: apOff + c * rows
    const P = x.cellAp[apOff + plan.clean * rows];
    const mPC = meanOver(x.cellAp, plan.benchmark, rows, apOff);
    const mPCh = meanOver(x.cellAp, plan.heldOut, rows, apOff);
    row[s.P] = P;
    row[s.mPC] = mPC;
    row[s.rPC] = ratio(mPC, P);
    row[s.mPCh] = mPCh;
    row[s.rPCh] = ratio(mPCh, P);
    for (let k = 0; k < K; k++) {
      const at = (m * K + k) * rows + r;
      const pk = x.classClean[at];
      // the running sums added the conditions in canonical order, as meanOver does
      const mk = nb > 0 ? x.classBench[at] / nb : NaN;
      row[s.cP + k] = pk;
      row[s.cMPC + k] = mk;
      row[s.cRPC + k] = ratio(mk, pk);
      row[s.cMPCh + k] = nh > 0 ? x.classHeld[at] / nh : NaN;
    }
    row[s.worstP] = lowestClass(row, x.worst.eligible, s.cP).value;
    row[s.worstMPC] = lowestClass(row, x.worst.eligible, s.cMPC).value;
    row[s.worstRPC] = lowestClass(row, x.worst.eligible, s.cRPC).value;
    plan.corruptions.forEach((g, j) => {
      const ap = meanOver(x.cellAp, g.conditions, rows, apOff);
      const { drop, dropRel } = drops(P, ap);
      row[s.corrAP + j] = ap;
      row[s.corrDrop + j] = drop;
      row[s.corrRel + j] = dropRel;
    });
    plan.families.forEach((g, f) => {
      const ap = meanOver(x.cellAp, g.conditions, rows, apOff);
      const { drop, dropRel } = drops(P, ap);
      row[s.famAP + f] = ap;
      row[s.famDrop + f] = drop;
      row[s.famRel + f] = dropRel;
    });
  }
  const b = x.mSlots[x.baseIdx];
  for (let m = 0; m < x.M; m++) {
    const d = x.dSlots[m];
    if (!d) continue;
    const s = x.mSlots[m];
    const diff = (dst: number, src: number, base: number, n = 1): void => {
      for (let i = 0; i < n; i++) row[dst + i] = row[src + i] - row[base + i];
    };
    diff(d.P, s.P, b.P);
    diff(d.mPC, s.mPC, b.mPC);
    diff(d.rPC, s.rPC, b.rPC);
    diff(d.mPCh, s.mPCh, b.mPCh);
    diff(d.worstP, s.worstP, b.worstP);
    diff(d.worstMPC, s.worstMPC, b.worstMPC);
    diff(d.worstRPC, s.worstRPC, b.worstRPC);
    diff(d.cP, s.cP, b.cP, K);
    diff(d.cMPC, s.cMPC, b.cMPC, K);
    diff(d.cRPC, s.cRPC, b.cRPC, K);
    diff(d.corrAP, s.corrAP, b.corrAP, x.plan.corruptions.length);
    diff(d.corrRel, s.corrRel, b.corrRel, x.plan.corruptions.length);
    diff(d.famAP, s.famAP, b.famAP, x.plan.families.length);
    diff(d.famRel, s.famRel, b.famRel, x.plan.families.length);
  }
}

/**
 * A cell's AP for the audit's images and every resample: [rows * (K + 1)], row r =
 * [AP_0 .. AP_{K-1}, AP], row 0 = every image once, row b + 1 = resample b; and the
 * point values with AP50.
 */
function scoreCell(rec: CellMatches, weights: Int32Array, B: number): { block: Float64Array; point: CellAp } {
  const { K, N } = rec;
  const block = new Float64Array((B + 1) * (K + 1));
  const scorer = new CellScorer(rec);
  const point = newCellAp(K);
  scorer.score(null, 0, point, true);
  block.set(point.apPerCat, 0);
  block[K] = point.ap;
  const out = newCellAp(K);
  for (let b = 0; b < B; b++) {
    scorer.score(weights, b * N, out, false);
    const o = (b + 1) * (K + 1);
    block.set(out.apPerCat, o);
    block[o + K] = out.ap;
  }
  return { block, point };
}

function rec0(ref: CellMatches | null): CellMatches {
  if (ref === null) throw new Error('analyseAudit: no cell record read yet');
  return ref;
}

function orNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function toDelta(e: Estimate): Delta {
  return { ...e, significant: e.value === null ? null : significant(e.ci95) };
}

function checkModels(models: readonly AnalysisModel[]): (AnalysisModel & { baseline: boolean })[] {
  if (models.length === 0) throw badInput('the audit has no models');
  const ids = new Set<number>();
  for (const m of models) {
    if (ids.has(m.id)) throw badInput(`model id ${m.id} is listed twice`);
    ids.add(m.id);
  }
  const flagged = models.filter((m) => m.baseline);
  if (flagged.length > 1) throw badInput(`${flagged.length} models are marked baseline (${flagged.map((m) => m.name).join(', ')}); mark one`);
  const base = flagged.length === 1 ? models.indexOf(flagged[0]) : 0;
  return models.map((m, i) => ({ ...m, baseline: i === base }));
}

function checkCategories(categories: readonly { id: number; name: string }[], rec: CellMatches): void {
  const given = new Set(categories.map((c) => c.id));
  const inRecords = new Set(rec.catIds);
  const missing = [...inRecords].filter((id) => !given.has(id));
  const extra = [...given].filter((id) => !inRecords.has(id));
  if (given.size !== categories.length) throw badInput('a category id is listed twice');
  if (missing.length > 0 || extra.length > 0) {
    throw badInput(
      `the categories do not match the cell records' (${missing.length ? `not listed: ${missing.join(', ')}` : ''}` +
        `${missing.length && extra.length ? '; ' : ''}${extra.length ? `not scored: ${extra.join(', ')}` : ''})`,
    );
  }
}

function sameArray(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Every cell must score the same images, categories and GT with the same parameters. */
function checkSameAudit(ref: CellMatches, rec: CellMatches, label: string): void {
  const why = incompatibility(ref, rec);
  if (why) throw badInput(`${label}: ${why} from the audit's other cells`);
  if (!sameArray(ref.imageIds, rec.imageIds)) {
    throw badInput(`${label}: covers other images than the audit's other cells (${rec.N} vs ${ref.N}); is the cell complete?`);
  }
  if (!sameArray(ref.gtStart, rec.gtStart) || !sameArray(ref.gtImage, rec.gtImage) || !sameArray(ref.gtCount, rec.gtCount)) {
    throw badInput(`${label}: scores other ground truth than the audit's other cells (a different class map?)`);
  }
}

/** Training-set counts in category order; every category needs one (other names are ignored). */
function trainingCounts(counts: Record<string, number>, names: readonly string[]): number[] {
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length > 0) throw badInput(`class counts are keyed by category name, but ${dup[0]} names two categories`);
  const missing = names.filter((n) => !(n in counts));
  if (missing.length > 0) {
    throw badInput(`the class counts lack ${missing.length} categor${missing.length === 1 ? 'y' : 'ies'}: ${missing.join(', ')}`);
  }
  return names.map((n) => counts[n]);
}
