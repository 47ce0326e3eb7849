import { describe, expect, it } from 'vitest';
import { pipelineEfficiency } from '../../../src/engine/util/efficiency';

describe('pipeline efficiency', () => {
  it('divides the isolated stage CPU seconds by cores x wall, with each stage its share', () => {
    // last session's audit figures: 179.3 CPU s of stages on 2 cores in 123.2 s of wall
    const stages = { decode: 17.0, corruption: 40.0, preprocess: 35.9, inference: 73.4, postprocess: 7.3, store: 1.1, scoring: 4.3 };
    const r = pipelineEfficiency({ isolatedCpuSeconds: stages, cores: 2, wallSeconds: 123.2 });
    expect(r.isolatedCpuSeconds).toBeCloseTo(179.0, 9);
    expect(r.capacityCpuSeconds).toBeCloseTo(246.4, 9);
    expect(r.efficiency).toBeCloseTo(179.0 / 246.4, 12);
    expect(r.stageShares.inference).toBeCloseTo(73.4 / 246.4, 12);
    const sumOfShares = Object.values(r.stageShares).reduce((a, b) => a + b, 0);
    expect(sumOfShares).toBeCloseTo(r.efficiency, 12);
    expect(r.overheadShare).toBeNull();
    expect(r.idleShare).toBeNull();
  });

  it('splits the rest of the capacity into overhead and idle cores when the run CPU is known', () => {
    const r = pipelineEfficiency({ isolatedCpuSeconds: { a: 3, b: 3 }, cores: 2, wallSeconds: 5, runCpuSeconds: 8 });
    expect(r.efficiency).toBeCloseTo(0.6, 12);
    expect(r.overheadShare).toBeCloseTo(0.2, 12);
    expect(r.idleShare).toBeCloseTo(0.2, 12);
    expect(r.efficiency + r.overheadShare! + r.idleShare!).toBeCloseTo(1, 12);
  });

  it('reports a run that used less CPU than the isolated stages as negative overhead', () => {
    const r = pipelineEfficiency({ isolatedCpuSeconds: { a: 4 }, cores: 1, wallSeconds: 5, runCpuSeconds: 3 });
    expect(r.overheadShare).toBeCloseTo(-0.2, 12);
    expect(r.idleShare).toBeCloseTo(0.4, 12);
  });

  it('rejects a broken measurement naming the field instead of returning a number', () => {
    expect(() => pipelineEfficiency({ isolatedCpuSeconds: { decode: Number.NaN }, cores: 2, wallSeconds: 1 })).toThrow(/isolatedCpuSeconds\.decode/);
    expect(() => pipelineEfficiency({ isolatedCpuSeconds: { decode: 1 }, cores: 2, wallSeconds: 0 })).toThrow(/wallSeconds/);
    expect(() => pipelineEfficiency({ isolatedCpuSeconds: { decode: 1 }, cores: 0, wallSeconds: 1 })).toThrow(/cores/);
    expect(() => pipelineEfficiency({ isolatedCpuSeconds: { decode: 1 }, cores: 1, wallSeconds: 1, runCpuSeconds: -1 })).toThrow(/runCpuSeconds/);
  });
});
