/**
 * Cells scored while their block runs (the executor's streamed cells), on the real
 * runner process: a clean evaluation and a small audit give, cell by cell, exactly the
 * stats, per-category rows and match records that re-scoring the same stored units
 * gives afterwards; and an audit paused in the middle of a block (its streamed cells
 * dropped unsaved) and resumed scores every cell once, with the numbers of an
 * uninterrupted run. NanoDet-m 0.5x on the shared KITTI images, one onnxruntime thread.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCell, JobEvent } from '../../../src/shared/audits';
import type { OdraClient } from '../../../src/shared/client';
import type { RunStats } from '../../../src/engine/audits/executor';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

const SAMPLE = 20;
const PLAN = { conditions: { corruptions: ['gaussian_noise' as const, 'contrast' as const], severities: [2, 4] }, sample: SAMPLE, seed: 5, threads: 1, workers: 1 };

describe('cells scored while their units are stored', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let datasetId: number;
  let modelId: number;
  const runs: RunStats[] = [];

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('streaming');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db'), onAuditRunStats: (r) => runs.push(r) });
    client = inProcessClient(engine);
    datasetId = (await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') })).id;
    modelId = (await client.call('models.import', { path: sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx') })).id;
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  const key = (c: AuditCell): string => `${c.modelPosition}:${c.conditionIndex}`;

  /** Every cell's stats, match record and per-category rows, as stored. */
  async function storedScores(auditId: number) {
    const cells = (await client.call('audits.cells', { id: auditId })).map((c) => [key(c), c.stats] as const);
    const records = engine.db.prepare('SELECT model_pos, condition_pos, record FROM audit_cells WHERE audit_id = ? ORDER BY model_pos, condition_pos').all(auditId);
    const metrics = await client.call('audits.metrics', { id: auditId });
    return { cells, records, metrics };
  }

  async function rescored(auditId: number) {
    const { jobId } = await client.call('audits.rescore', { id: auditId });
    expect((await client.call('jobs.watch', { id: jobId })).status).toBe('done');
    return storedScores(auditId);
  }

  it('a clean evaluation and a small audit, streamed, hold the numbers and records a re-score of their stored units gives', async () => {
    const evaluation = await client.call('evaluations.run', { modelId, datasetId, threads: 1 });
    expect(evaluation.status).toBe('done');
    expect([runs.at(-1)!.cellsScored, runs.at(-1)!.cellsStreamed]).toEqual([1, 1]);
    const evaluated = await storedScores(evaluation.id);
    expect(evaluated.cells[0][1]!.AP).toBeGreaterThan(0);
    expect(await rescored(evaluation.id)).toEqual(evaluated);

    const { audit, jobId } = await client.call('audits.start', { ...PLAN, modelIds: [modelId], datasetId });
    expect((await client.call('jobs.watch', { id: jobId })).status).toBe('done');
    expect([runs.at(-1)!.cellsScored, runs.at(-1)!.cellsStreamed]).toEqual([5, 5]);
    const audited = await storedScores(audit.id);
    expect(new Set(audited.cells.map(([, s]) => s!.AP)).size).toBeGreaterThan(2);
    expect(await rescored(audit.id)).toEqual(audited);
  });

  it('paused in the middle of a block and resumed: every cell scored once, the numbers of an uninterrupted run', async () => {
    const uninterrupted = await client.call('audits.start', { ...PLAN, modelIds: [modelId], datasetId });
    expect((await client.call('jobs.watch', { id: uninterrupted.jobId })).status).toBe('done');
    const expected = await storedScores(uninterrupted.audit.id);

    const { audit, jobId } = await client.call('audits.start', { ...PLAN, modelIds: [modelId], datasetId });
    const cellEvents: string[] = [];
    let pausing: Promise<unknown> | null = null;
    const onEvent = (e: JobEvent): void => {
      if (e.type !== 'cell') return;
      cellEvents.push(key(e.cell));
      // the clean cell is saved once its block's last unit is stored: gaussian_noise's
      // block has just begun (at most the task window of its 20 images is answered)
      pausing ??= client.call('audits.pause', { id: audit.id });
    };
    expect((await client.call('jobs.watch', { id: jobId }, { onEvent })).status).toBe('paused');
    await pausing;
    const first = runs.at(-1)!;
    const progress = engine.db.prepare('SELECT condition_pos, units_done, stats_json IS NOT NULL AS scored FROM audit_cells WHERE audit_id = ? ORDER BY condition_pos').all(audit.id) as {
      condition_pos: number;
      units_done: number;
      scored: number;
    }[];
    expect(progress.map((c) => [c.condition_pos, c.scored])).toEqual([
      [0, 1],
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
    ]);
    // gaussian_noise's cells streamed, were dropped with their block half done, and saved nothing
    expect(progress[1].units_done).toBeGreaterThan(0);
    expect(progress[1].units_done).toBeLessThan(SAMPLE);
    expect([first.cellsScored, first.cellsStreamed]).toEqual([1, 1]);
    expect(engine['scorer']?.cellsInProgress).toBe(0);

    const resumed = await client.call('audits.resume', { id: audit.id });
    expect((await client.call('jobs.watch', { id: resumed.jobId }, { onEvent })).status).toBe('done');
    // gaussian_noise's cells (partly stored) at their block's end, contrast's streamed
    expect([runs.at(-1)!.cellsScored, runs.at(-1)!.cellsStreamed]).toEqual([4, 2]);
    expect([...cellEvents].sort()).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    expect(await storedScores(audit.id)).toEqual(expected);
  });
});
