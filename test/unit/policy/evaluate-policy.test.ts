import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/engine/policy/evaluate-policy';
import { policySchema, type PolicyInput, type RuleResult } from '../../../src/shared/policy';
import { BASE, PRUNED, policyAudit } from './policy-audit';

const two = policyAudit([BASE, PRUNED]);
const noBootstrap = policyAudit([BASE, PRUNED], 0);

function evaluate(rules: PolicyInput['rules'], opts: Partial<PolicyInput> = {}, analysis = two) {
  return evaluatePolicy(policySchema.parse({ odra_policy: 1, name: 't', rules, ...opts }), analysis);
}
const pick = (rs: RuleResult[], model: string): RuleResult => {
  const r = rs.find((x) => x.model.name === model);
  if (!r) throw new Error(`no result for ${model}`);
  return r;
};

describe('evaluatePolicy', () => {
  it('checks a model minimum per model with the measured value, interval and threshold', () => {
    const e = evaluate([{ id: 'p', kind: 'minimum', metric: 'P', min: 0.68 }]);
    expect(e.results).toHaveLength(2);
    const base = pick(e.results, 'base');
    expect(base).toMatchObject({ verdict: 'pass', threshold: 0.68, comparator: '>=' });
    expect(base.measured).toBeCloseTo(0.7, 12);
    expect(base.ci95?.[0]).toBeCloseTo(0.7, 12);
    const pruned = pick(e.results, 'pruned');
    expect(pruned.verdict).toBe('fail');
    expect(pruned.measured).toBeCloseTo(2 / 3, 12);
    expect(pruned.reason).toBe('0.6667 < 0.6800');
    expect(e.counts).toEqual({ pass: 1, fail: 1, not_evaluable: 0 });
    expect(e.verdict).toBe('fail');
  });

  it('reads the lower interval bound when asked, and is not evaluable without intervals', () => {
    const rule = { id: 'mpc', kind: 'minimum' as const, metric: 'mPC' as const, min: 0.3, estimate: 'lower' as const };
    expect(pick(evaluate([rule]).results, 'base').verdict).toBe('pass');
    const open = pick(evaluate([rule], {}, noBootstrap).results, 'base');
    expect(open.verdict).toBe('not_evaluable');
    expect(open.reason).toContain('bootstrap off');
  });

  it('applies per-class thresholds with overrides and names the failing class', () => {
    const e = evaluate([{ id: 'cls', kind: 'class_minimum', metric: 'AP', min: 0.5, overrides: { Pedestrian: 0.55, CAR: 0.85 } }]);
    const base = pick(e.results, 'base');
    // car 0.8 < 0.85 fails; pedestrian 0.6 >= 0.55 and cyclist 0.7 >= 0.5 pass
    expect(base.verdict).toBe('fail');
    expect(base.subject).toBe('class car');
    expect(base.threshold).toBe(0.85);
    expect(base.checks.map((c) => [c.subject, c.verdict])).toEqual([
      ['class car', 'fail'],
      ['class pedestrian', 'pass'],
      ['class cyclist', 'pass'],
    ]);
    // pruned: car 0.8 < 0.85 (margin -0.05) and pedestrian 0.4 < 0.55 (margin -0.15): the worst decides
    const pruned = pick(e.results, 'pruned');
    expect(pruned.subject).toBe('class pedestrian');
    expect(pruned.reason).toContain('2 of 3 checks fail');
  });

  it('leaves classes under min_gt out of "all" but not evaluable when listed or overridden', () => {
    const all = evaluate([{ id: 'cls', kind: 'class_minimum', metric: 'AP', min: 0.1, min_gt: 5 }]);
    expect(pick(all.results, 'base').checks.map((c) => c.subject)).toEqual(['class car', 'class cyclist']);
    const listed = evaluate([{ id: 'cls', kind: 'class_minimum', metric: 'AP', min: 0.1, min_gt: 5, classes: ['pedestrian'] }]);
    expect(pick(listed.results, 'base')).toMatchObject({ verdict: 'not_evaluable', reason: expect.stringContaining('fewer than min_gt 5') });
    const missing = evaluate([{ id: 'cls', kind: 'class_minimum', metric: 'AP', min: 0.1, overrides: { person: 0.9 } }]);
    expect(pick(missing.results, 'base')).toMatchObject({ verdict: 'not_evaluable', subject: 'class person' });
  });

  it('checks the AP drop per family and per corruption', () => {
    const fam = evaluate([{ id: 'noise', kind: 'max_drop', scope: 'family', names: ['noise'], max: 0.7 }]);
    expect(pick(fam.results, 'base').verdict).toBe('pass'); // 0.619
    const pruned = pick(fam.results, 'pruned');
    expect(pruned.verdict).toBe('fail'); // 0.85
    expect(pruned.measured).toBeCloseTo(0.85, 12);
    expect(pruned.comparator).toBe('<=');
    const abs = evaluate([{ id: 'abs', kind: 'max_drop', scope: 'corruption', measure: 'absolute', max: 0.2 }]);
    expect(pick(abs.results, 'base').checks.map((c) => [c.subject, c.verdict])).toEqual([
      ['corruption gaussian_noise', 'fail'], // 0.7 - 0.2667 = 0.4333
      ['corruption defocus_blur', 'pass'], // 0.1
    ]);
    const absent = evaluate([{ id: 'fog', kind: 'max_drop', scope: 'corruption', names: ['fog'], max: 0.5 }]);
    expect(pick(absent.results, 'base')).toMatchObject({ verdict: 'not_evaluable', reason: expect.stringContaining('no condition of fog') });
  });

  it('fails a Δ beyond the limit only when significant, unless every drop counts', () => {
    // ΔP of pruned = -0.0333, significant (constant levels: every resample agrees)
    const sig = evaluate([{ id: 'dp', kind: 'max_delta', metric: 'P', max_drop: 0.02 }]);
    expect(sig.results).toHaveLength(1); // the baseline has no Δ: compressed models only
    expect(sig.results[0]).toMatchObject({ verdict: 'fail', significant: true, threshold: -0.02 });
    expect(sig.results[0].measured).toBeCloseTo(-1 / 30, 12);
    const loose = evaluate([{ id: 'dp', kind: 'max_delta', metric: 'P', max_drop: 0.05 }]);
    expect(loose.results[0].verdict).toBe('pass');
    const unknown = evaluate([{ id: 'dp', kind: 'max_delta', metric: 'P', max_drop: 0.02 }], {}, noBootstrap);
    expect(unknown.results[0]).toMatchObject({ verdict: 'not_evaluable', reason: expect.stringContaining('significance is unknown') });
    const all = evaluate([{ id: 'dp', kind: 'max_delta', metric: 'P', max_drop: 0.02, count: 'all' }], {}, noBootstrap);
    expect(all.results[0].verdict).toBe('fail');
  });

  it('checks class Δs for the listed classes', () => {
    const e = evaluate([{ id: 'dc', kind: 'class_max_delta', metric: 'AP', max_drop: 0.1, classes: ['pedestrian', 'cyclist'], count: 'all' }]);
    expect(e.results[0].checks.map((c) => [c.subject, c.verdict])).toEqual([
      ['class pedestrian', 'fail'], // -0.2
      ['class cyclist', 'pass'], // +0.1
    ]);
  });

  it('selects models by name, sha256 prefix, baseline or compressed, and reports a missing one', () => {
    const rules = (models: PolicyInput['rules'][number]['models']) => [{ id: 'p', kind: 'minimum' as const, metric: 'P' as const, min: 0.1, models }];
    expect(evaluate(rules('baseline')).results.map((r) => r.model.name)).toEqual(['base']);
    expect(evaluate(rules('compressed')).results.map((r) => r.model.name)).toEqual(['pruned']);
    expect(evaluate(rules(['22222222'])).results.map((r) => r.model.name)).toEqual(['pruned']);
    const missing = evaluate(rules(['base', 'quantized']));
    expect(missing.results.map((r) => [r.model.name, r.verdict])).toEqual([
      ['base', 'pass'],
      ['quantized', 'not_evaluable'],
    ]);
    expect(missing.verdict).toBe('fail');
    expect(evaluate(rules(['base', 'quantized']), { not_evaluable: 'ignore' }).verdict).toBe('pass');
    const dBase = evaluate([{ id: 'd', kind: 'max_delta', metric: 'P', max_drop: 0.1, models: 'baseline' }]);
    expect(dBase.results[0]).toMatchObject({ verdict: 'not_evaluable', reason: expect.stringContaining('baseline has no Δ') });
  });

  it('says a Δ rule is not evaluable in a one-model audit', () => {
    const e = evaluate([{ id: 'd', kind: 'max_delta', metric: 'mPC', max_drop: 0.1 }], {}, policyAudit([BASE]));
    expect(e.results).toEqual([expect.objectContaining({ verdict: 'not_evaluable', reason: expect.stringContaining('one model') })]);
  });

  it('passes when every rule passes', () => {
    const e = evaluate([
      { id: 'p', kind: 'minimum', metric: 'P', min: 0.5 },
      { id: 'w', kind: 'minimum', metric: 'worst_class_AP', min: 0.3 },
      { id: 'd', kind: 'max_delta', metric: 'mPC', max_drop: 0.2 },
    ]);
    expect(e.verdict).toBe('pass');
    expect(e.counts).toEqual({ pass: 5, fail: 0, not_evaluable: 0 });
  });
});
