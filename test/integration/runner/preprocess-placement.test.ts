/**
 * Where the runner makes the models' input tensors (in the corruption pool's workers,
 * the default, or on the inference thread) changes no byte of what is stored: an audit
 * (NanoDet m and 0.5x, which share one input spec, and a dynamic-batch detector run in
 * batches of 4) and a clean evaluation (YOLOX-Nano) give identical packed detections,
 * input digests and metrics both ways. Real runner processes, real models and images.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdraClient } from '../../../src/shared/client';
import type { RunStats } from '../../../src/engine/audits/executor';
import { cpuBudget } from '../../../src/engine/corruptions/pool';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { writeConvDetector } from '../../helpers/conv-detector';
import { ensureCliBuilt } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

interface Side {
  engine: Engine;
  client: OdraClient;
  stats: RunStats[];
}

describe('input tensors made in the pool or on the inference thread', () => {
  let temp: string;
  const sides: Record<'pool' | 'runner', Side> = {} as Record<'pool' | 'runner', Side>;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('preprocess-placement');
    for (const where of ['pool', 'runner'] as const) {
      const stats: RunStats[] = [];
      const engine = new Engine({ dbPath: path.join(temp, `${where}.db`), runnerPreprocessing: where, onAuditRunStats: (s) => stats.push(s) });
      sides[where] = { engine, client: inProcessClient(engine), stats };
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(sides).map((s) => s.engine.close()));
    await removeDir(temp);
  });

  function units(engine: Engine, auditId: number): Map<string, string> {
    const rows = engine.db
      .prepare('SELECT condition_pos, model_pos, image_pos, detections FROM audit_units WHERE audit_id = ?')
      .all(auditId) as { condition_pos: number; model_pos: number; image_pos: number; detections: Buffer }[];
    return new Map(rows.map((r) => [`${r.condition_pos}:${r.model_pos}:${r.image_pos}`, createHash('sha256').update(r.detections).digest('hex')]));
  }

  it('an audit stores the same detections, digests and metrics either way', async () => {
    const conv = await writeConvDetector(5);
    const results = await Promise.all(
      (['pool', 'runner'] as const).map(async (where) => {
        const { client, engine } = sides[where];
        const dataset = await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') });
        const models = [
          await client.call('models.import', { path: sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx') }),
          await client.call('models.import', { path: sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx') }),
          await client.call('models.import', { path: conv }),
        ];
        const started = await client.call('audits.start', {
          modelIds: models.map((m) => m.id),
          datasetId: dataset.id,
          conditions: { corruptions: ['gaussian_noise', 'contrast'], severities: [3] },
          sample: 5,
          seed: 9,
          threads: 1,
          batchSize: 4,
          recordInputDigests: true,
        });
        expect((await client.call('jobs.watch', { id: started.jobId })).status).toBe('done');
        return {
          units: units(engine, started.audit.id),
          digests: engine.audits.inputDigests(started.audit.id),
          metrics: await client.call('audits.metrics', { id: started.audit.id }),
        };
      }),
    );
    const [pool, runner] = results;
    expect(pool.units.size).toBe(5 * 3 * 3);
    expect([...pool.units.keys()].filter((k) => pool.units.get(k) !== runner.units.get(k))).toEqual([]);
    expect(pool.digests).toHaveLength(5 * 3);
    expect(pool.digests).toEqual(runner.digests);
    expect(pool.metrics).toEqual(runner.metrics);
    // the pool made the tensors: its preprocessing time is in the runner's stage times
    const last = sides.pool.stats.at(-1)!;
    expect(last.stages.preprocessMs).toBeGreaterThan(0);
    expect(last.poolWorkers).toBeGreaterThanOrEqual(1);
  });

  it('a clean evaluation stores the same detections and numbers either way', async () => {
    const evaluations = await Promise.all(
      (['pool', 'runner'] as const).map(async (where) => {
        const { client, engine } = sides[where];
        const datasets = await client.call('datasets.list', {});
        const dataset = datasets.find((d) => d.name.includes('kitti')) ?? (await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') }));
        const model = await client.call('models.import', { path: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') });
        const evaluation = await client.call('evaluations.run', { modelId: model.id, datasetId: dataset.id, threads: 1 });
        return { evaluation, units: units(engine, evaluation.id) };
      }),
    );
    const [pool, runner] = evaluations;
    expect(pool.units.size).toBeGreaterThan(10);
    expect([...pool.units.keys()].filter((k) => pool.units.get(k) !== runner.units.get(k))).toEqual([]);
    expect(pool.evaluation.stats).toEqual(runner.evaluation.stats);
    // a clean run gets the audit's pool, not a single worker that preprocessing would make its bottleneck
    expect(sides.pool.stats.at(-1)!.poolWorkers).toBe(cpuBudget(os.availableParallelism(), 1).poolWorkers);
  });
});
