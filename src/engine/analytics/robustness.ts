/**
 * Robustness under corruption, after Michaelis et al. 2019, "Benchmarking Robustness in
 * Object Detection: Autonomous Driving when Winter is Coming" (arXiv:1907.07484; the
 * `imagecorruptions` package):
 *
 *   P       = AP on clean images
 *   mPC     = mean over the audited conditions (corruption c, severity s) of the 15
 *             benchmark corruptions of AP_{c,s}   (the paper: (1/15)(1/5) sum_c sum_s,
 *             which is the same mean when the suite is complete)
 *   rPC     = mPC / P                              (undefined when P = 0)
 *   mPC_heldout, rPC_heldout: the same over the 4 held-out corruptions (speckle noise,
 *             gaussian blur, spatter, saturate), never mixed into mPC
 *   AP is COCO AP@[.5:.95] throughout (the paper's detection metric); per class the same
 *   formulas on the class's AP.
 *
 * Per corruption c:  AP_c = mean over its audited severities; drop_c = P - AP_c;
 *   drop_rel_c = (P - AP_c) / P; severity curve = AP_{c,s} for s ascending.
 * Per family f (noise, blur, weather, digital; benchmark corruptions only, as mPC):
 *   AP_f = mean over the family's audited benchmark conditions; drop and drop_rel as above.
 *
 * Every mean is over the conditions actually audited and reports how many it covers
 * (n_conditions of n_suite: 75 for mPC, 20 held out, 5 x the family's corruptions), so
 * a partial suite never reads as the full one. Means add left to right in the canonical
 * condition order (clean, then the catalogue's corruption order, severities ascending)
 * and divide by the count: one fixed order, so a number never depends on the order the
 * audit listed its conditions in. A mean over nothing, or over an undefined value, is
 * undefined (NaN here, null in results).
 */
import { badInput } from '../../shared/errors';
import { CORRUPTIONS, SEVERITIES, type CorruptionFamily, type CorruptionName } from '../../shared/corruptions';
import { CORRUPTION_FAMILIES, type ConditionRef } from '../../shared/audit-results';

export interface PlannedCondition extends ConditionRef {
  /** position in the caller's list */
  input: number;
  family: CorruptionFamily | null;
  role: 'clean' | 'benchmark' | 'held-out';
}

export interface CorruptionGroup {
  corruption: CorruptionName;
  family: CorruptionFamily;
  role: 'benchmark' | 'held-out';
  /** canonical indices of its conditions, severity ascending */
  conditions: number[];
  severities: number[];
}

export interface FamilyGroup {
  family: CorruptionFamily;
  corruptions: CorruptionName[];
  /** canonical indices of its benchmark conditions */
  conditions: number[];
  /** conditions of the complete suite: 5 severities x the family's benchmark corruptions */
  suite: number;
}

export interface ConditionPlan {
  /** canonical order */
  conditions: PlannedCondition[];
  /** canonical index of clean */
  clean: number;
  benchmark: number[];
  heldOut: number[];
  corruptions: CorruptionGroup[];
  families: FamilyGroup[];
}

export const BENCHMARK_SUITE = CORRUPTIONS.filter((c) => c.role === 'benchmark').length * SEVERITIES.length;
export const HELD_OUT_SUITE = CORRUPTIONS.filter((c) => c.role === 'held-out').length * SEVERITIES.length;

/**
 * Validates the audit's conditions (clean exactly once, no duplicates) and puts them in
 * canonical order with the groups the means run over.
 */
export function planConditions(input: readonly ConditionRef[]): ConditionPlan {
  const rank = (c: ConditionRef): number =>
    c.corruption === 'clean' ? -1 : CORRUPTIONS.findIndex((x) => x.name === c.corruption) * 10 + c.severity;
  const seen = new Set<string>();
  const problems: string[] = [];
  input.forEach((c, i) => {
    const key = `${c.corruption}/${c.severity}`;
    if (seen.has(key)) problems.push(`condition ${i} (${key}) is listed twice`);
    seen.add(key);
    if ((c.corruption === 'clean') !== (c.severity === 0)) problems.push(`condition ${i} (${key}): clean has severity 0, a corruption 1..5`);
    if (c.corruption !== 'clean' && (!Number.isInteger(c.severity) || c.severity < 1 || c.severity > 5)) {
      problems.push(`condition ${i} (${key}): severity must be 1..5`);
    }
  });
  if (!input.some((c) => c.corruption === 'clean')) problems.push('the clean condition is missing: P and every drop are measured against it');
  if (problems.length > 0) throw badInput('audit conditions are invalid', problems.map((problem) => ({ problem })));

  const order = input.map((c, i) => ({ c, i })).sort((x, y) => rank(x.c) - rank(y.c));
  const conditions: PlannedCondition[] = order.map(({ c, i }) => {
    if (c.corruption === 'clean') return { corruption: 'clean', severity: 0, input: i, family: null, role: 'clean' };
    const info = CORRUPTIONS.find((x) => x.name === c.corruption);
    if (!info) throw badInput(`unknown corruption ${c.corruption}`);
    return { corruption: c.corruption, severity: c.severity, input: i, family: info.family, role: info.role };
  });
  const idx = (pred: (c: PlannedCondition) => boolean): number[] =>
    conditions.flatMap((c, j) => (pred(c) ? [j] : []));
  const corruptions: CorruptionGroup[] = CORRUPTIONS.flatMap((info) => {
    const js = idx((c) => c.corruption === info.name);
    return js.length === 0
      ? []
      : [{ corruption: info.name, family: info.family, role: info.role, conditions: js, severities: js.map((j) => conditions[j].severity) }];
  });
  const families: FamilyGroup[] = CORRUPTION_FAMILIES.flatMap((family) => {
    const js = idx((c) => c.role === 'benchmark' && c.family === family);
    if (js.length === 0) return [];
    const names = corruptions.filter((g) => g.role === 'benchmark' && g.family === family).map((g) => g.corruption);
    const suite = CORRUPTIONS.filter((x) => x.role === 'benchmark' && x.family === family).length * SEVERITIES.length;
    return [{ family, corruptions: names, conditions: js, suite }];
  });
  return {
    conditions,
    clean: idx((c) => c.role === 'clean')[0],
    benchmark: idx((c) => c.role === 'benchmark'),
    heldOut: idx((c) => c.role === 'held-out'),
    corruptions,
    families,
  };
}

/** Mean of values[indices[..]] added left to right; NaN over nothing. */
export function meanOver(values: ArrayLike<number>, indices: readonly number[], stride = 1, offset = 0): number {
  if (indices.length === 0) return NaN;
  let sum = 0;
  for (const j of indices) sum += values[offset + j * stride];
  return sum / indices.length;
}

/** a / b, undefined (NaN) unless b > 0: rPC = mPC / P, drop_rel = drop / P. */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : NaN;
}

/** Absolute and relative drop of AP from the clean P. */
export function drops(P: number, ap: number): { drop: number; dropRel: number } {
  const drop = P - ap;
  return { drop, dropRel: ratio(drop, P) };
}
