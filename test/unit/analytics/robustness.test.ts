import { describe, expect, it } from 'vitest';
import { BENCHMARK_SUITE, HELD_OUT_SUITE, drops, meanOver, planConditions, ratio } from '../../../src/engine/analytics/robustness';
import { OdraError } from '../../../src/shared/errors';
import type { ConditionRef } from '../../../src/shared/audit-results';

const cond = (corruption: ConditionRef['corruption'], severity: number): ConditionRef => ({ corruption, severity });

describe('condition plan', () => {
  it('orders clean first, then the catalogue order, severities ascending, remembering the input position', () => {
    const plan = planConditions([cond('fog', 2), cond('gaussian_noise', 3), cond('clean', 0), cond('speckle_noise', 1), cond('gaussian_noise', 1)]);
    expect(plan.conditions.map((c) => `${c.corruption}/${c.severity}@${c.input}`)).toEqual([
      'clean/0@2', 'gaussian_noise/1@4', 'gaussian_noise/3@1', 'fog/2@0', 'speckle_noise/1@3',
    ]);
    expect(plan.clean).toBe(0);
    expect(plan.benchmark).toEqual([1, 2, 3]);
    expect(plan.heldOut).toEqual([4]);
  });

  it('groups by corruption and by family (families: benchmark corruptions only)', () => {
    const plan = planConditions([cond('clean', 0), cond('shot_noise', 5), cond('gaussian_noise', 1), cond('speckle_noise', 2), cond('motion_blur', 4)]);
    expect(plan.corruptions.map((g) => [g.corruption, g.family, g.role, g.severities])).toEqual([
      ['gaussian_noise', 'noise', 'benchmark', [1]],
      ['shot_noise', 'noise', 'benchmark', [5]],
      ['motion_blur', 'blur', 'benchmark', [4]],
      ['speckle_noise', 'noise', 'held-out', [2]],
    ]);
    expect(plan.families.map((f) => [f.family, f.corruptions, f.conditions.length, f.suite])).toEqual([
      ['noise', ['gaussian_noise', 'shot_noise'], 2, 15],
      ['blur', ['motion_blur'], 1, 20],
    ]);
  });

  it('knows the full suites: 15 x 5 benchmark and 4 x 5 held-out conditions', () => {
    expect(BENCHMARK_SUITE).toBe(75);
    expect(HELD_OUT_SUITE).toBe(20);
  });

  it('rejects a missing clean condition, duplicates and bad severities, listing each problem', () => {
    const problems = (conditions: ConditionRef[]): string[] => {
      try {
        planConditions(conditions);
      } catch (err) {
        expect(err).toBeInstanceOf(OdraError);
        return ((err as OdraError).details?.problems ?? []).map((p) => p.problem);
      }
      return [];
    };
    expect(problems([cond('fog', 1)])).toEqual([expect.stringMatching(/clean condition is missing/)]);
    expect(problems([cond('clean', 0), cond('fog', 1), cond('fog', 1)])).toEqual([expect.stringMatching(/condition 2 \(fog\/1\) is listed twice/)]);
    expect(problems([cond('clean', 0), cond('fog', 0)])).toEqual([
      expect.stringMatching(/clean has severity 0/),
      expect.stringMatching(/severity must be 1..5/),
    ]);
    expect(problems([cond('clean', 0), cond('fog', 6)])).toEqual([expect.stringMatching(/severity must be 1..5/)]);
  });
});

describe('means and ratios', () => {
  it('averages the selected values left to right, undefined over nothing or over an undefined value', () => {
    expect(meanOver([0.1, 0.5, 0.3, 0.9], [1, 3])).toBeCloseTo(0.7, 15);
    // strided table: value j at offset + j * stride
    expect(meanOver([0, 0.2, 0, 0.4, 0, 0.9], [0, 1], 2, 1)).toBeCloseTo(0.3, 15);
    expect(meanOver([0.1], [])).toBeNaN();
    expect(meanOver([0.1, NaN], [0, 1])).toBeNaN();
  });

  it('defines rPC and the relative drop only for a positive P', () => {
    expect(ratio(0.3, 0.6)).toBeCloseTo(0.5, 15);
    expect(ratio(0.3, 0)).toBeNaN();
    expect(ratio(0.3, NaN)).toBeNaN();
    const d = drops(0.5, 0.2);
    expect(d.drop).toBeCloseTo(0.3, 15);
    expect(d.dropRel).toBeCloseTo(0.6, 15);
    expect(drops(0, 0).dropRel).toBeNaN();
  });
});
