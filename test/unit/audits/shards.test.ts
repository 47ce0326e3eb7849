/**
 * The shard partition: every image in exactly one shard, the same shards whatever the
 * order of the image list, sizes within one image of each other, and fingerprints that
 * separate plans, Odra versions and shards.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shardAssignment, shardAuditFingerprint, shardImages, shardPlanFingerprint, type ShardImage } from '../../../src/engine/audits/shards';
import { fnv1a32 } from '../../../src/shared/prng';

function images(n: number, salt = ''): ShardImage[] {
  return Array.from({ length: n }, (_, i) => ({ id: i * 3 + 1, sha256: createHash('sha256').update(`${salt}image-${i}`).digest('hex') }));
}

/** A seeded shuffle (Fisher-Yates on FNV-1a keys), so a reordering is reproducible. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = fnv1a32(`${seed}:${i}`) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('shard partition', () => {
  it.each([
    [1, 1],
    [12, 3],
    [100, 7],
    [1000, 16],
    [5, 5],
  ])('puts each of %i images in exactly one of %i shards, sizes within one image', (n, count) => {
    const list = images(n);
    const shards = Array.from({ length: count }, (_, index) => shardImages(list, { index, count }));
    const all = shards.flat().sort((a, b) => a - b);
    expect(all).toEqual(list.map((im) => im.id).sort((a, b) => a - b));
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    for (const s of shards) expect(s).toEqual([...s].sort((a, b) => a - b));
  });

  it('gives the same shards whatever the order of the image list', () => {
    const list = images(200);
    for (const seed of [1, 2, 3]) {
      const other = shuffled(list, seed);
      expect(other.map((im) => im.id)).not.toEqual(list.map((im) => im.id));
      for (let index = 0; index < 5; index++) expect(shardImages(other, { index, count: 5 })).toEqual(shardImages(list, { index, count: 5 }));
    }
  });

  it('follows the content hash, not the image id or file order', () => {
    const list = images(60);
    const reHashed = images(60, 'other content ');
    const a = shardImages(list, { index: 0, count: 3 });
    const b = shardImages(reHashed, { index: 0, count: 3 });
    expect(a).not.toEqual(b);
    // shard 0 is not a run of consecutive ids: a shard is a spread of the dataset
    expect(a).not.toEqual(list.map((im) => im.id).slice(0, 20));
  });

  it('separates identical files by image id, each still in one shard', () => {
    const list = [
      { id: 9, sha256: 'aa' },
      { id: 2, sha256: 'aa' },
      { id: 5, sha256: 'aa' },
    ];
    const assignment = shardAssignment(list, 2);
    expect([...assignment.entries()].sort((x, y) => x[0] - y[0])).toEqual([
      [2, 0],
      [5, 1],
      [9, 0],
    ]);
  });

  it('refuses an index outside 0..count-1 and a count below 1', () => {
    expect(() => shardImages(images(4), { index: 3, count: 3 })).toThrow(/0\.\.2/);
    expect(() => shardImages(images(4), { index: -1, count: 3 })).toThrow(RangeError);
    expect(() => shardImages(images(4), { index: 0, count: 0 })).toThrow(/positive/);
  });

  it('fingerprints the plan with its sample and Odra version, and each shard apart', () => {
    const plan = 'f'.repeat(64);
    const base = shardPlanFingerprint(plan, null, '1.0.0');
    expect(shardPlanFingerprint(plan, null, '1.0.0')).toBe(base);
    expect(shardPlanFingerprint(plan, null, '1.0.1')).not.toBe(base);
    expect(shardPlanFingerprint(plan, 12, '1.0.0')).not.toBe(base);
    expect(shardPlanFingerprint('e'.repeat(64), null, '1.0.0')).not.toBe(base);
    const s0 = shardAuditFingerprint(base, { index: 0, count: 3 });
    expect(shardAuditFingerprint(base, { index: 1, count: 3 })).not.toBe(s0);
    expect(shardAuditFingerprint(base, { index: 0, count: 4 })).not.toBe(s0);
  });
});
