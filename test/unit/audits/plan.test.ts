import { describe, expect, it } from 'vitest';
import { resolveConditions } from '../../../src/shared/audits';
import { BENCHMARK_CORRUPTIONS, CORRUPTION_NAMES } from '../../../src/shared/corruptions';
import { planBlocks, planFingerprint, sampleImages, unitSeed, type FingerprintInput } from '../../../src/engine/audits/plan';
import { corruptionSeed, imageKey } from '../../../src/engine/corruptions/seed';

const HASH = '389b4ef6e9193c6b7b57a69001f05d479df87dea61920f40265ce82de9b8089f';

describe('audit conditions', () => {
  it('expands the presets: benchmark 15 x 5, all 19 x 5, quick 15 at severity 3, each after clean', () => {
    const benchmark = resolveConditions({ preset: 'benchmark' });
    expect(benchmark).toHaveLength(76);
    expect(benchmark[0]).toEqual({ corruption: 'clean', severity: 0 });
    expect(benchmark.slice(1, 6)).toEqual([1, 2, 3, 4, 5].map((severity) => ({ corruption: 'gaussian_noise', severity })));
    expect(new Set(benchmark.slice(1).map((c) => c.corruption))).toEqual(new Set(BENCHMARK_CORRUPTIONS));
    expect(resolveConditions({ preset: 'all' })).toHaveLength(96);
    const quick = resolveConditions({ preset: 'quick' });
    expect(quick).toHaveLength(16);
    expect(quick.slice(1).every((c) => c.severity === 3)).toBe(true);
  });

  it('orders chosen corruptions by the catalogue and severities ascending, without duplicates', () => {
    const c = resolveConditions({ corruptions: ['jpeg_compression', 'gaussian_noise', 'jpeg_compression'], severities: [5, 1, 5] });
    expect(c).toEqual([
      { corruption: 'clean', severity: 0 },
      { corruption: 'gaussian_noise', severity: 1 },
      { corruption: 'gaussian_noise', severity: 5 },
      { corruption: 'jpeg_compression', severity: 1 },
      { corruption: 'jpeg_compression', severity: 5 },
    ]);
    // severities alone narrow a preset
    expect(resolveConditions({ preset: 'all', severities: [2] })).toHaveLength(1 + CORRUPTION_NAMES.length);
    expect(resolveConditions({})).toEqual([{ corruption: 'clean', severity: 0 }]);
  });
});

describe('audit image sample', () => {
  const ids = Array.from({ length: 200 }, (_, i) => 1000 - 3 * i);

  it('takes every image, ascending, without a sample or with one at least the dataset size', () => {
    const all = [...ids].sort((a, b) => a - b);
    expect(sampleImages(ids, HASH, 0)).toEqual(all);
    expect(sampleImages(ids, HASH, 0, 200)).toEqual(all);
    expect(sampleImages(ids, HASH, 0, 5000)).toEqual(all);
  });

  it('is a pure function of the seed, the dataset hash and the ids (not their order), and ascending', () => {
    const a = sampleImages(ids, HASH, 7, 20);
    expect(a).toHaveLength(20);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(new Set(a).size).toBe(20);
    expect(a.every((id) => ids.includes(id))).toBe(true);
    expect(sampleImages([...ids].reverse(), HASH, 7, 20)).toEqual(a);
    expect(sampleImages(ids, HASH, 8, 20)).not.toEqual(a);
    expect(sampleImages(ids, HASH.replace('3', '4'), 7, 20)).not.toEqual(a);
    // a larger sample of the same seed contains the smaller one (ranks are fixed)
    expect(a.every((id) => sampleImages(ids, HASH, 7, 50).includes(id))).toBe(true);
  });
});

describe('audit work order', () => {
  it('puts clean first, then one block per corruption with its severities ascending', () => {
    const conditions = [
      { corruption: 'fog', severity: 4 },
      { corruption: 'clean', severity: 0 },
      { corruption: 'fog', severity: 2 },
      { corruption: 'snow', severity: 1 },
    ] as const;
    expect(planBlocks(conditions)).toEqual([
      { corruption: 'clean', conditions: [1] },
      { corruption: 'fog', conditions: [2, 0] },
      { corruption: 'snow', conditions: [3] },
    ]);
    const blocks = planBlocks(resolveConditions({ preset: 'benchmark' }));
    expect(blocks).toHaveLength(16);
    expect(blocks.map((b) => b.conditions.length)).toEqual([1, ...Array<number>(15).fill(5)]);
    expect(blocks.flatMap((b) => b.conditions)).toEqual(Array.from({ length: 76 }, (_, i) => i));
  });

  it('seeds each corrupted image with the one seed function, and clean images with nothing', () => {
    expect(unitSeed(5, HASH, 42, { corruption: 'fog', severity: 3 })).toBe(corruptionSeed(5, imageKey(HASH, 42), 'fog', 3));
    expect(unitSeed(5, HASH, 42, { corruption: 'fog', severity: 3 })).not.toBe(unitSeed(5, HASH, 43, { corruption: 'fog', severity: 3 }));
    expect(unitSeed(5, HASH, 42, { corruption: 'clean', severity: 0 })).toBe(0);
  });
});

describe('audit plan fingerprint', () => {
  const base: FingerprintInput = {
    modelSha256: ['a'.repeat(64), 'b'.repeat(64)],
    baseline: 0,
    datasetHash: HASH,
    imageIds: [1, 2, 3],
    conditions: resolveConditions({ preset: 'quick' }),
    seed: 0,
    executionProvider: 'cpu',
    threads: 1,
    corruptionCatalogueVersion: '1',
  };

  it('is stable and changes with everything that changes a number', () => {
    const f = planFingerprint(base);
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(planFingerprint({ ...base })).toBe(f);
    const variants: Partial<FingerprintInput>[] = [
      { modelSha256: [...base.modelSha256].reverse() },
      { baseline: 1 },
      { datasetHash: HASH.replace('3', '4') },
      { imageIds: [1, 2] },
      { conditions: resolveConditions({ preset: 'benchmark' }) },
      { seed: 1 },
      { executionProvider: 'cuda' },
      { threads: 2 },
      { corruptionCatalogueVersion: '2' },
    ];
    const seen = new Set([f]);
    for (const v of variants) seen.add(planFingerprint({ ...base, ...v }));
    expect(seen.size).toBe(variants.length + 1);
  });
});
