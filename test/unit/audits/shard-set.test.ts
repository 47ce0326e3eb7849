/**
 * A set of shards must be one plan covered exactly once: foreign, duplicate and missing
 * shards are BAD_INPUT naming the files or indices; a partial merge reports what is missing.
 */
import { describe, expect, it } from 'vitest';
import { checkShardSet } from '../../../src/engine/audits/shard-stores';
import { OdraError } from '../../../src/shared/errors';

const shard = (index: number, file = `/s/shard-${index}.db`, planFingerprint = 'plan-a', count = 3) => ({ file, planFingerprint, count, index, toolVersion: '1.0.0' });

function refusal(fn: () => unknown): OdraError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OdraError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('shard set check', () => {
  it('accepts the shards of one plan, each once, in any order', () => {
    expect(checkShardSet([shard(2), shard(0), shard(1)], { allowPartial: false })).toEqual({ count: 3, planFingerprint: 'plan-a', covered: [0, 1, 2], missing: [] });
  });

  it('refuses a shard of another plan, naming its file', () => {
    const err = refusal(() => checkShardSet([shard(0), shard(1, '/s/other.db', 'plan-b'), shard(2)], { allowPartial: false }));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/foreign shard: \/s\/other\.db/);
  });

  it('refuses a shard of another shard count as foreign', () => {
    const err = refusal(() => checkShardSet([shard(0), shard(1, '/s/four.db', 'plan-a', 4)], { allowPartial: true }));
    expect(err.message).toMatch(/\/s\/four\.db/);
    expect(err.details?.problems?.[0].problem).toMatch(/shard 1\/4/);
  });

  it('refuses a shard given twice, naming both files', () => {
    const err = refusal(() => checkShardSet([shard(0), shard(1), shard(1, '/s/copy.db'), shard(2)], { allowPartial: false }));
    expect(err.message).toMatch(/shard 1\/3 is given 2 times \(\/s\/shard-1\.db, \/s\/copy\.db\)/);
  });

  it('refuses a shard already merged into the store', () => {
    const err = refusal(() => checkShardSet([shard(1), shard(2)], { allowPartial: false, alreadyMerged: [0, 1] }));
    expect(err.message).toMatch(/shard 1\/3 \(\/s\/shard-1\.db\) is already merged/);
  });

  it('refuses missing shards, naming the indices, unless a partial merge is allowed', () => {
    expect(refusal(() => checkShardSet([shard(1)], { allowPartial: false })).message).toMatch(/missing shards 0, 2 of 3/);
    expect(checkShardSet([shard(1)], { allowPartial: true })).toMatchObject({ covered: [1], missing: [0, 2] });
    expect(checkShardSet([shard(0), shard(2)], { allowPartial: false, alreadyMerged: [1] })).toMatchObject({ covered: [0, 1, 2], missing: [] });
  });

  it('checks new shards against the merged audit, not only against each other', () => {
    const err = refusal(() => checkShardSet([shard(2, '/s/x.db', 'plan-b')], { allowPartial: true, planFingerprint: 'plan-a', count: 3, alreadyMerged: [0, 1] }));
    expect(err.message).toMatch(/foreign shard: \/s\/x\.db does not belong to the plan of the merged audit/);
  });
});
