/**
 * A sharded audit rehearsed locally: the 3 shards of a real audit (YOLOX-Nano, 12 images
 * of the shared COCO driving set, clean + 2 corruptions) run as 3 `odra audit --shard I/3`
 * processes at once, `odra merge` joins them, and the merged result (metrics, per-class
 * rows and the bootstrap intervals) equals the same audit run unsharded; the unsharded
 * command on the merged store then prints it without computing. A partial merge is stored
 * as partial and completed by a later merge; missing, duplicate and damaged shard stores
 * are refused with exit 2 naming them, and a refused merge leaves the store as it was.
 */
import { copyFile, open } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDetailSchema, auditResultSchema, type AuditResult } from '../../../src/shared/audits';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

const AUDIT = [
  'audit',
  '--model', sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'),
  '--dataset', sharedPath('data', 'datasets', 'coco128_val2017_driving'),
  '--corruptions', 'gaussian_noise,fog', '--severities', '3',
  '--sample', '12', '--seed', '7', '--threads', '1', '--bootstrap', '200', '--json',
];
const MERGE_OPTIONS = ['--bootstrap', '200', '--json'];
const TIMEOUT = 600_000;

/** What must not depend on how the audit was run: everything but its id, name and provenance. */
function numbers(r: AuditResult): unknown {
  const { id: _id, name: _name, provenance: _provenance, ...audit } = r.audit;
  return { ...r, audit };
}

function storeState(file: string): { audits: { id: number; status: string; units: number; merged: string | null }[]; integrity: string } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const audits = db
      .prepare(
        `SELECT a.id, a.status, (SELECT COUNT(*) FROM audit_units u WHERE u.audit_id = a.id) AS units, s.merged_json AS merged
         FROM audits a LEFT JOIN audit_shards s ON s.audit_id = a.id ORDER BY a.id`,
      )
      .all() as { id: number; status: string; units: number; merged: string | null }[];
    return { audits, integrity: db.pragma('integrity_check', { simple: true }) as string };
  } finally {
    db.close();
  }
}

describe('sharded audit, merged', () => {
  let temp: string;
  let whole: AuditResult;
  const shard = (i: number): string => path.join(temp, `shard-${i}.db`);

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('shards');
    // the reference and the 3 shards at once: 4 processes, as a batch engine would run them
    const [ref, ...shards] = await Promise.all([
      runOdra([...AUDIT, '--db', path.join(temp, 'whole.db')], { timeoutMs: TIMEOUT }),
      ...[0, 1, 2].map((i) => runOdra([...AUDIT, '--shard', `${i}/3`, '--db', path.join(temp, 'shard-{shard}.db')], { timeoutMs: TIMEOUT })),
    ]);
    expect(ref.code, ref.stderr).toBe(0);
    whole = auditResultSchema.parse(JSON.parse(ref.stdout));
    shards.forEach((s, i) => {
      expect(s.code, s.stderr).toBe(0);
      const detail = auditDetailSchema.parse(JSON.parse(s.stdout));
      expect([detail.status, detail.images, detail.unitsDone]).toEqual(['done', 4, 12]);
      expect(detail.shard).toMatchObject({ index: i, count: 3, partial: false });
      expect(detail.provenance?.shard).toMatchObject({ index: i, count: 3 });
    });
  }, TIMEOUT);
  afterAll(async () => {
    await removeDir(temp);
  });

  it('gives the numbers and intervals of the unsharded run, and the unsharded command then prints them without computing', async () => {
    const out = path.join(temp, 'merged.db');
    const merged = await runOdra(['merge', '--db', out, ...MERGE_OPTIONS, shard(2), shard(0), shard(1)], { timeoutMs: TIMEOUT });
    expect(merged.code, merged.stderr).toBe(0);
    const result = auditResultSchema.parse(JSON.parse(merged.stdout));
    expect(result.audit.images).toBe(12);
    expect(result.models[0].P_ci95).not.toBeNull();
    expect(numbers(result)).toEqual(numbers(whole));
    expect(result.audit.provenance?.shard).toEqual({ planFingerprint: expect.any(String), count: 3, index: null, merged: [0, 1, 2], partial: false });
    // the three shard runs and the scoring run
    expect(result.audit.provenance?.runs).toHaveLength(4);

    const before = storeState(out);
    const again = await runOdra([...AUDIT, '--db', out], { timeoutMs: TIMEOUT });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/audit 1 of this plan is done; printing its stored result/);
    expect(again.stdout).toBe(merged.stdout);
    expect(storeState(out)).toEqual(before);
  });

  it('stores a partial merge as partial, refuses to run it, and completes it with the missing shard', async () => {
    const out = path.join(temp, 'partial.db');
    const missing = await runOdra(['merge', '--db', out, ...MERGE_OPTIONS, shard(0), shard(2)], { timeoutMs: TIMEOUT });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing shard 1 of 3/);

    const partial = await runOdra(['merge', '--db', out, '--allow-partial', ...MERGE_OPTIONS, shard(0), shard(2)], { timeoutMs: TIMEOUT });
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stderr).toMatch(/PARTIAL merge as audit 1: shards 0, 2 of 3; missing 1/);
    expect(JSON.parse(partial.stdout)).toMatchObject({ partial: true, merged: [0, 2], missing: [1], audit: { shard: { partial: true, merged: [0, 2] }, resumable: false } });
    const run = await runOdra([...AUDIT, '--db', out], { timeoutMs: TIMEOUT });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is a partial merge \(shards 0, 2 of 3\): merge the missing shard 1/);

    const dup = await runOdra(['merge', '--db', out, ...MERGE_OPTIONS, shard(2)], { timeoutMs: TIMEOUT });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/shard 2\/3 \(.*shard-2\.db\) is already merged/);

    const complete = await runOdra(['merge', '--db', out, ...MERGE_OPTIONS, shard(1)], { timeoutMs: TIMEOUT });
    expect(complete.code, complete.stderr).toBe(0);
    expect(numbers(auditResultSchema.parse(JSON.parse(complete.stdout)))).toEqual(numbers(whole));
  });

  it('refuses a damaged shard store and a shard given twice, naming them, and leaves the store as it was', async () => {
    const out = path.join(temp, 'refused.db');
    const partial = await runOdra(['merge', '--db', out, '--allow-partial', ...MERGE_OPTIONS, shard(0)], { timeoutMs: TIMEOUT });
    expect(partial.code, partial.stderr).toBe(0);
    const before = storeState(out);

    const damaged = path.join(temp, 'damaged.db');
    await copyFile(shard(1), damaged);
    const file = await open(damaged, 'r+');
    try {
      // garbage over the pages after the header: B-tree pages of the store's tables
      const { size } = await file.stat();
      await file.write(Buffer.alloc(size / 2, 0xa5), 0, size / 2, 16384);
    } finally {
      await file.close();
    }
    const refused = await runOdra(['merge', '--db', out, ...MERGE_OPTIONS, shard(1).replace('shard-1', 'damaged'), shard(2)], { timeoutMs: TIMEOUT });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(damaged);
    expect(refused.stderr).toMatch(/damaged|cannot be merged|cannot open/);

    const twice = await runOdra(['merge', '--db', out, ...MERGE_OPTIONS, shard(1), shard(2), shard(1)], { timeoutMs: TIMEOUT });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/duplicate shards: shard 1\/3 is given 2 times/);
    expect(storeState(out)).toEqual(before);
    expect(before.integrity).toBe('ok');
  });
});
