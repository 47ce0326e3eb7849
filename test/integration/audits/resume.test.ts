/**
 * `odra audit` killed at several points (SIGKILL of its runner process, SIGKILL of the
 * whole engine process) and run again with the same command on the same --db resumes
 * from the last stored unit and ends with exactly the numbers, and the very stored
 * detections, of an uninterrupted run; the store passes PRAGMA integrity_check after
 * every kill. Real models (NanoDet-m 0.5x and 1.0x) on the shared KITTI images.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditResultSchema } from '../../../src/shared/audits';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, ODRA_BIN, runOdra } from '../../helpers/odra-cli';
import { isAlive, runnerOf } from '../../helpers/processes';
import { sharedPath } from '../../helpers/shared';

const MODELS = [sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx'), sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx')];
const ARGS = [
  'audit',
  ...MODELS.flatMap((m) => ['--model', m]),
  '--dataset', sharedPath('data', 'datasets', 'kitti_tiny_2d'),
  '--corruptions', 'gaussian_noise,contrast', '--severities', '2,4',
  '--sample', '8', '--seed', '5', '--threads', '1', '--json',
];
const TOTAL = 8 * 5 * 2;

interface Store {
  units: number;
  status: string | null;
  integrity: string;
}

function readStore(file: string): Store {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const units = (db.prepare('SELECT COUNT(*) AS n FROM audit_units').get() as { n: number }).n;
    const row = db.prepare('SELECT status FROM audits ORDER BY id DESC LIMIT 1').get() as { status: string } | undefined;
    return { units, status: row?.status ?? null, integrity: db.pragma('integrity_check', { simple: true }) as string };
  } finally {
    db.close();
  }
}

function unitHashes(file: string): Map<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT condition_pos, model_pos, image_pos, detections FROM audit_units').all() as {
      condition_pos: number;
      model_pos: number;
      image_pos: number;
      detections: Buffer;
    }[];
    return new Map(rows.map((r) => [`${r.condition_pos}:${r.model_pos}:${r.image_pos}`, createHash('sha256').update(r.detections).digest('hex')]));
  } finally {
    db.close();
  }
}

/** Starts `odra audit` on `db` and resolves with its exit once done; `child` is for killing it. */
function startAudit(db: string): { child: ChildProcess; exit: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [ODRA_BIN, ...ARGS, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit };
}

/** Polls the store (and the process) until `check` holds; no fixed sleeps. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function storedUnits(db: string): number {
  try {
    return readStore(db).units;
  } catch {
    return 0; // not created yet
  }
}

describe('odra audit resumes after SIGKILL', () => {
  let temp: string;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('resume');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('killed runner, killed engine (twice), then the same command: the numbers and stored detections of an uninterrupted run', async () => {
    const reference = path.join(temp, 'reference.db');
    const ref = await runOdra([...ARGS, '--db', reference], { timeoutMs: 600_000 });
    expect(ref.code, ref.stderr).toBe(0);
    const expected = auditResultSchema.parse(JSON.parse(ref.stdout));
    expect(expected.audit.status).toBe('done');

    const db = path.join(temp, 'killed.db');
    // 1. the runner dies (a native crash): the audit is interrupted, the CLI says how to go on
    const first = startAudit(db);
    await until(() => storedUnits(db) >= 10 && runnerOf(first.child.pid!) !== null, '10 stored units');
    const runner = runnerOf(first.child.pid!)!;
    process.kill(runner.pid, 'SIGKILL');
    const crashed = await first.exit;
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toMatch(/audit 1 interrupted at \d+\/80 units: the runner process was killed \(SIGKILL\)/);
    expect(crashed.stderr).toMatch(/run the same command on --db .* to resume/);
    let store = readStore(db);
    expect([store.status, store.integrity]).toEqual(['interrupted', 'ok']);
    const afterRunnerKill = store.units;

    // 2. and 3. the whole engine is killed (no chance to clean up), with its runner
    let previous = afterRunnerKill;
    for (const at of [afterRunnerKill + 12, afterRunnerKill + 30]) {
      const run = startAudit(db);
      await until(() => storedUnits(db) >= Math.min(at, TOTAL - 4), `${at} stored units`);
      const runnerPid = runnerOf(run.child.pid!)?.pid ?? null;
      run.child.kill('SIGKILL');
      const killed = await run.exit;
      expect(killed.signal).toBe('SIGKILL');
      // the runner goes with its engine
      if (runnerPid !== null) await until(() => !isAlive(runnerPid) || runnerOf(run.child.pid!) === null, 'the runner to exit');
      expect(killed.stderr).toMatch(new RegExp(`resuming audit 1 at ${previous}/80 units`));
      store = readStore(db);
      // the engine died while running: the store says running until the next start marks it interrupted
      expect([store.status, store.integrity]).toEqual(['running', 'ok']);
      expect(store.units).toBeGreaterThan(previous);
      previous = store.units;
    }

    // 4. the same command finishes it
    const last = await runOdra([...ARGS, '--db', db], { timeoutMs: 600_000 });
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toMatch(new RegExp(`resuming audit 1 at ${previous}/80 units`));
    const result = auditResultSchema.parse(JSON.parse(last.stdout));
    expect(result.audit.bootstrap).toBe(1000);
    expect(result.models[0].P_ci95).not.toBeNull();
    expect(result.models[1].delta!.mPC.significant).not.toBeNull();
    expect(result.models[0].baseline).toBe(true);
    expect(result.conditions).toEqual(expected.conditions);
    expect(result.models.map((m) => [m.P, m.mPC, m.rPC])).toEqual(expected.models.map((m) => [m.P, m.mPC, m.rPC]));
    expect(result.classes).toEqual(expected.classes);
    expect(unitHashes(db)).toEqual(unitHashes(reference));
    store = readStore(db);
    expect([store.status, store.units, store.integrity]).toEqual(['done', TOTAL, 'ok']);

    // 5. once more: the stored result, nothing recomputed
    const again = await runOdra([...ARGS, '--db', db], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/audit 1 of this plan is done; printing its stored result/);
    expect(again.stderr).not.toMatch(/checking files|running/);
    expect(JSON.parse(again.stdout)).toEqual(result);

    // 6. with the bootstrap off: the same numbers, no intervals
    const plain = await runOdra([...ARGS, '--db', db, '--bootstrap', '0'], { timeoutMs: 120_000 });
    expect(plain.code, plain.stderr).toBe(0);
    const noIntervals = auditResultSchema.parse(JSON.parse(plain.stdout));
    expect(noIntervals.audit.bootstrap).toBe(0);
    expect(noIntervals.models.map((m) => [m.P, m.mPC, m.rPC])).toEqual(result.models.map((m) => [m.P, m.mPC, m.rPC]));
    expect(noIntervals.models.every((m) => m.P_ci95 === null && m.mPC_ci95 === null && m.rPC_ci95 === null)).toBe(true);
    expect(noIntervals.models[1].delta!.P).toMatchObject({ ci95: null, significant: null });
  });
});
