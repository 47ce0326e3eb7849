import { describe, expect, it } from 'vitest';
import { resolveConditions } from '../../../src/shared/audits';
import { extrapolate, meanAndError, MIN_SPREAD, type CalibrationSamples, type PlanShape } from '../../../src/engine/audits/estimate-math';
import { spreadPositions } from '../../../src/engine/audits/calibration';

const CLEAN = resolveConditions({});
const TWO = resolveConditions({ corruptions: ['gaussian_noise', 'glass_blur'], severities: [1, 3, 5] });

function samples(over: Partial<CalibrationSamples> = {}): CalibrationSamples {
  return {
    unitMs: [
      [10, 10, 10, 10],
      [30, 30, 30, 30],
    ],
    corruptMs: { gaussian_noise: [5, 5, 5, 5], glass_blur: [400, 400, 400, 400] },
    decodeMs: [2, 2, 2, 2],
    scoreMs: [0, 0, 0, 0],
    startupSeconds: 1,
    ...over,
  };
}

describe('extrapolating a calibration to the audit', () => {
  it('paces an inference-bound plan by the models summed per unit, plus the start-up', () => {
    const plan: PlanShape = { images: 100, models: 2, conditions: CLEAN, poolWorkers: 1, cores: 4 };
    const x = extrapolate(samples(), plan);
    expect(x.bottleneck).toBe('inference');
    expect(x.units).toBe(100 * 1 * 2);
    // 100 images x (10 ms + 30 ms) on the one inference thread
    expect(x.seconds).toBeCloseTo(1 + 100 * 0.04, 9);
    expect(x.perModel.map((m) => m.secondsPerUnit)).toEqual([0.01, 0.03]);
    expect(x.perModel[0].seconds + x.perModel[1].seconds).toBeCloseTo(x.seconds - 1, 9);
  });

  it('paces a corruption-bound plan by the kernels spread over the pool: twice the workers, half the time', () => {
    const base: PlanShape = { images: 50, models: 2, conditions: TWO, poolWorkers: 2, cores: 64 };
    const two = extrapolate(samples(), base);
    const four = extrapolate(samples(), { ...base, poolWorkers: 4 });
    expect(two.bottleneck).toBe('corruption');
    // per image: 3 severities each of gaussian noise (5 ms) and glass blur (400 ms)
    const kernelSeconds = 50 * 3 * (0.005 + 0.4);
    expect(two.seconds - 1).toBeCloseTo(kernelSeconds / 2, 9);
    expect(four.seconds - 1).toBeCloseTo(kernelSeconds / 4, 9);
    expect(two.perCorruption).toEqual([
      { corruption: 'clean', secondsPerImage: 0 },
      { corruption: 'gaussian_noise', secondsPerImage: 0.005 },
      { corruption: 'glass_blur', secondsPerImage: 0.4 },
    ]);
  });

  it('is bounded by the CPU as a whole when the cores are fewer than the threads', () => {
    const plan: PlanShape = { images: 50, models: 2, conditions: TWO, poolWorkers: 4, cores: 1 };
    const x = extrapolate(samples(), plan);
    expect(x.bottleneck).toBe('cpu');
    const work = 50 * 7 * 0.04 + 50 * 3 * 0.405 + 50 * 3 * 0.002;
    expect(x.seconds - 1).toBeCloseTo(work, 9);
  });

  it('adds the scoring of the last block, which nothing overlaps', () => {
    const plan: PlanShape = { images: 10, models: 2, conditions: TWO, poolWorkers: 8, cores: 64 };
    const without = extrapolate(samples(), plan);
    const withScoring = extrapolate(samples({ scoreMs: [1, 1, 1, 1] }), plan);
    // last block: glass blur's 3 of the 7 conditions; 10 images x 7 conditions x 2 models units at 1 ms
    expect(withScoring.seconds - without.seconds).toBeCloseTo(((10 * 7 * 2 * 0.001) * 3) / 7, 9);
  });

  it('gives a range around the estimate, at least the minimum spread, wider for scattered samples', () => {
    const plan: PlanShape = { images: 200, models: 2, conditions: TWO, poolWorkers: 2, cores: 8 };
    const steady = extrapolate(samples(), plan);
    expect(steady.low).toBeLessThanOrEqual(steady.seconds / MIN_SPREAD + 1e-9);
    expect(steady.high).toBeGreaterThanOrEqual(steady.seconds * MIN_SPREAD - 1e-9);
    const scattered = extrapolate(samples({ corruptMs: { gaussian_noise: [5, 5, 5, 5], glass_blur: [100, 700, 200, 600] } }), plan);
    expect(scattered.seconds).toBeCloseTo(steady.seconds, 9);
    expect(scattered.high - scattered.low).toBeGreaterThan(steady.high - steady.low);
    expect(scattered.low).toBeLessThan(scattered.seconds);
    expect(scattered.high).toBeGreaterThan(scattered.seconds);
  });

  it('refuses a plan with a corruption the calibration did not measure', () => {
    const plan: PlanShape = { images: 10, models: 2, conditions: resolveConditions({ corruptions: ['fog'] }), poolWorkers: 1, cores: 2 };
    expect(() => extrapolate(samples(), plan)).toThrow(/no sample of corruption fog/);
  });

  it('takes the mean and its standard error; a single sample counts its mean as the error', () => {
    expect(meanAndError([2, 4, 6, 8])).toEqual({ mean: 5, se: Math.sqrt(20 / 3 / 4) });
    expect(meanAndError([7])).toEqual({ mean: 7, se: 7 });
  });
});

describe('calibration image picks', () => {
  it('spreads the picks over the plan, first and last included, all of a short plan', () => {
    expect(spreadPositions(100, 4)).toEqual([0, 33, 66, 99]);
    expect(spreadPositions(3, 4)).toEqual([0, 1, 2]);
    expect(spreadPositions(9, 1)).toEqual([0]);
  });
});
