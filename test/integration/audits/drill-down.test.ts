/**
 * The drill-down on a real audit (YOLOX-Nano and NanoDet-m 0.5x, 6 KITTI images, clean and
 * gaussian_noise/3): per-image TP / FP / FN of a class for two models agree with the
 * unit's matched boxes, a model compared with itself differs nowhere, the cell's COCO
 * results hold exactly the scored detections of its units, and the provenance records
 * each model's tags.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt } from '../../helpers/odra-cli';
import { sharedPath } from '../../helpers/shared';

describe('audit drill-down', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('drill-down');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  it('counts per image agree with the matched units, and the COCO results are the scored detections', async () => {
    const dataset = await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') });
    const yolox = await client.call('models.import', { path: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') });
    const nano = await client.call('models.import', { path: sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx') });
    await client.call('models.setTags', {
      id: nano.id,
      tags: { compression: { method: 'structured_pruning', rate: 50, rateUnit: 'kept_channels_percent' }, training: 'baseline', note: '0.5x width' },
    });
    const started = await client.call('audits.start', {
      modelIds: [yolox.id, nano.id],
      datasetId: dataset.id,
      conditions: { corruptions: ['gaussian_noise'], severities: [3] },
      sample: 6,
      seed: 3,
      workers: 1,
      threads: 1,
    });
    expect((await client.call('jobs.watch', { id: started.jobId })).status).toBe('done');
    const id = started.audit.id;
    const detail = await client.call('audits.get', { id });
    expect(detail.provenance?.models.map((m) => m.tags?.compression.method)).toEqual(['none', 'structured_pruning']);

    const car = dataset.categories.find((c) => c.name.toLowerCase() === 'car');
    if (!car) throw new Error('KITTI has no Car category');
    for (const conditionIndex of [0, 1]) {
      const rows = await client.call('audits.cellImages', { id, conditionIndex, categoryId: car.id, modelA: yolox.id, modelB: nano.id });
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        for (const [modelId, counts] of [[yolox.id, row.a], [nano.id, row.b]] as const) {
          const m = await client.call('audits.imageMatches', { id, modelId, conditionIndex, imageId: row.imageId });
          expect(m.done).toBe(true);
          expect(counts).toEqual({
            tp: m.detections.filter((d) => d.categoryId === car.id && d.status === 'tp').length,
            fp: m.detections.filter((d) => d.categoryId === car.id && d.status === 'fp').length,
            fn: m.groundTruth.filter((g) => g.categoryId === car.id && g.status === 'missed').length,
          });
        }
      }
      const self = await client.call('audits.cellImages', { id, conditionIndex, categoryId: car.id, modelA: nano.id, modelB: nano.id });
      expect(self.some((r) => r.missedOnlyByB || r.foundOnlyByB)).toBe(false);
    }

    const images = (await client.call('audits.cellImages', { id, conditionIndex: 1, categoryId: car.id, modelA: nano.id, modelB: nano.id })).map((r) => r.imageId);
    const coco = await client.call('audits.cocoResults', { id, modelId: nano.id, conditionIndex: 1 });
    const cell = (await client.call('audits.metrics', { id, modelId: nano.id, corruption: 'gaussian_noise', severity: 3 })).find((r) => r.id === car.id);
    expect(coco.filter((d) => d.category_id === car.id).length).toBe(cell?.num_dets);
    for (const imageId of images) {
      const raw = await client.call('audits.detections', { id, modelId: nano.id, conditionIndex: 1, imageId });
      expect(coco.filter((d) => d.image_id === imageId).length).toBe(raw.reduce((n, d) => n + d.categoryIds.length, 0));
    }
  });
});
