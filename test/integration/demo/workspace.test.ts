/**
 * The demo workspace through the contract (`demo.setup`, what the welcome screen's button
 * calls): on an empty store it generates the demo scenes beside the store, imports them and
 * the committed demo detector family (baseline first, the audit's reference) and starts the
 * demo audit; called again once the audit is done, it returns the same dataset, models and
 * audit without generating or computing anything. Smoke preset (8 scenes x 3 conditions),
 * real runner process and real models.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdraClient } from '../../../src/shared/client';
import { Engine } from '../../../src/engine/engine';
import { DEMO_MODEL_ORDER, DEMO_MODEL_PREFIX, DEMO_PRESETS } from '../../../src/engine/demo/workspace';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt } from '../../helpers/odra-cli';

describe('demo.setup', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('demo-workspace');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  it('sets up scenes, the family and the demo audit on an empty store, and returns the finished audit the second time', async () => {
    const stages = new Set<string>();
    const ws = await client.call('demo.setup', { preset: 'smoke' }, { onProgress: (p) => stages.add(p.stage) });
    expect(ws.status).toBe('started');
    expect(ws.jobId).not.toBeNull();
    expect(stages.has('generating scenes')).toBe(true);
    const { images, corruptions } = DEMO_PRESETS.smoke;
    expect(ws.units).toBe(images * (1 + corruptions.length) * DEMO_MODEL_ORDER.length);

    const dataset = await client.call('datasets.get', { id: ws.datasetId });
    expect(dataset.imageCount).toBe(images);
    expect(dataset.categories.map((c) => c.name)).toEqual(['car', 'pedestrian', 'truck', 'cyclist', 'traffic sign']);
    const annotations = path.join(temp, 'demo-scenes', 'annotations.json');
    const written = (await stat(annotations)).mtimeMs;

    const models = await Promise.all(ws.modelIds.map((id) => client.call('models.get', { id })));
    expect(models.map((m) => m.name)).toEqual(DEMO_MODEL_ORDER.map((n) => `${DEMO_MODEL_PREFIX}${n}`));
    expect(models.every((m) => m.adapter.family === 'yolov8')).toBe(true);

    const info = await client.call('jobs.watch', { id: ws.jobId as string });
    expect(info.status).toBe('done');
    const detail = await client.call('audits.get', { id: ws.auditId });
    expect(detail.models.find((m) => m.baseline)?.modelId).toBe(ws.modelIds[0]);
    expect(detail.conditions.map((c) => `${c.corruption}/${c.severity}`)).toEqual(['clean/0', 'gaussian_noise/3', 'defocus_blur/3']);

    const again = await client.call('demo.setup', { preset: 'smoke' });
    expect(again).toEqual({ ...ws, jobId: null, status: 'done' });
    expect((await stat(annotations)).mtimeMs).toBe(written);
    expect((await client.call('audits.list', { kind: 'audit' })).length).toBe(1);
  }, 600_000);

  it('refuses an in-memory store, which has no folder for the scenes', async () => {
    const memory = new Engine({ dbPath: ':memory:' });
    try {
      await expect(inProcessClient(memory).call('demo.setup', { preset: 'smoke' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    } finally {
      await memory.close();
    }
  });
});
