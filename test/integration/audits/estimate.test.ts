/**
 * `audits.estimate` on a real small setup (NanoDet-m 0.5x and YOLOX-Nano, 8 KITTI images,
 * 3 corruptions x 2 severities): the calibration runs the real runner and stores nothing
 * (every table's row count is unchanged), reports progress, and the real audit of the same
 * setup then takes a wall time within a generous factor of the estimate (the machine is
 * shared: the figures are printed).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEstimateSchema } from '../../../src/shared/audits';
import type { OdraClient } from '../../../src/shared/client';
import type { Progress } from '../../../src/shared/schemas';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

const CONDITIONS = { corruptions: ['gaussian_noise' as const, 'motion_blur' as const, 'contrast' as const], severities: [2, 5] };

describe('audit time estimate', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('estimate');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  function rowCounts(): Record<string, number> {
    const tables = engine.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map((t) => [t.name, (engine.db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n]));
  }

  it('calibrates without storing anything, and the real audit takes about as long as estimated', async () => {
    const dataset = await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') });
    const nanodet = await client.call('models.import', { path: sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx') });
    const yolox = await client.call('models.import', { path: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') });
    const setup = { modelIds: [nanodet.id, yolox.id], datasetId: dataset.id, conditions: CONDITIONS, sample: 8, seed: 3 };

    const before = rowCounts();
    expect(before.audits).toBe(0);
    const progress: Progress[] = [];
    const estimate = auditEstimateSchema.parse(await client.call('audits.estimate', setup, { onProgress: (p) => progress.push(p) }));
    expect(rowCounts()).toEqual(before);

    expect(estimate.units).toBe(2 * 8 * 7);
    expect(estimate.basis).toBe('4 images × 4 conditions');
    expect(estimate.perModel.map((m) => m.modelId)).toEqual([nanodet.id, yolox.id]);
    expect(estimate.perModel.every((m) => m.secondsPerUnit > 0)).toBe(true);
    expect(estimate.perCorruption.map((c) => c.corruption)).toEqual(['clean', 'gaussian_noise', 'motion_blur', 'contrast']);
    expect(estimate.perCorruption.find((c) => c.corruption === 'motion_blur')!.secondsPerImage).toBeGreaterThan(0);
    expect(estimate.low).toBeLessThan(estimate.seconds);
    expect(estimate.high).toBeGreaterThan(estimate.seconds);
    expect(progress.some((p) => p.stage === 'calibrating' && p.done === p.total)).toBe(true);

    const t0 = performance.now();
    const started = await client.call('audits.start', setup);
    expect((await client.call('jobs.watch', { id: started.jobId })).status).toBe('done');
    const actual = (performance.now() - t0) / 1000;
    console.log(
      `estimate ${estimate.seconds.toFixed(1)} s (${estimate.low.toFixed(1)}–${estimate.high.toFixed(1)} s, bottleneck ${estimate.bottleneck}, ` +
        `calibration ${estimate.calibrationSeconds.toFixed(1)} s, ${estimate.basis}); actual ${actual.toFixed(1)} s; ratio ${(actual / estimate.seconds).toFixed(2)}`,
    );
    expect(actual).toBeGreaterThan(estimate.seconds / 3);
    expect(actual).toBeLessThan(estimate.seconds * 3);
  }, 600_000);

  it('a cancelled estimate is refused as cancelled and stores nothing', async () => {
    const datasets = await client.call('datasets.list', {});
    const models = await client.call('models.list', {});
    const before = rowCounts();
    const controller = new AbortController();
    const call = client.call(
      'audits.estimate',
      { modelIds: models.map((m) => m.id), datasetId: datasets[0].id, conditions: CONDITIONS, sample: 8, seed: 4 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'calibrating') controller.abort();
        },
      },
    );
    await expect(call).rejects.toThrow(/cancel/i);
    expect(rowCounts()).toEqual(before);
  }, 300_000);
});
