import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { makeGoodDataset, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { tinyDetectorBytes } from '../../helpers/broken-models';
import { rejection } from '../../helpers/dataset-fixtures';

describe('evaluations: provenance, deletion, broken model outputs', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let datasetId: number;
  let datasetDir: string;

  beforeAll(async () => {
    temp = await makeTempDir('evaluation-store');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    datasetDir = path.join(temp, 'ds');
    await makeGoodDataset(datasetDir, 2);
    datasetId = (await client.call('datasets.import', { dir: datasetDir })).id;
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  async function model(name: string, value: number | number[]): Promise<number> {
    const file = path.join(temp, `${name}.onnx`);
    await writeFile(file, tinyDetectorBytes(value));
    return (await client.call('models.import', { path: file, name })).id;
  }

  it('records the folder and the model file each run read, and deletes runs with their detections', async () => {
    // five boxes over the image's top-left quarter, "person" at 0.9
    const modelId = await model('quarter', [0, 0, 32, 32, 0.9, 0]);
    const run = await client.call('evaluations.run', { modelId, datasetId });
    expect(run.status).toBe('done');
    expect(run.datasetRoot).toBe(datasetDir);
    expect(run.modelPath).toBe(path.join(temp, 'quarter.onnx'));
    expect((await client.call('evaluations.detections', { id: run.id })).length).toBeGreaterThan(0);
    const second = await client.call('evaluations.run', { modelId, datasetId });

    expect(await client.call('evaluations.delete', { ids: [run.id, 999_999] })).toEqual({ deleted: 1 });
    expect((await client.call('evaluations.list', {})).map((e) => e.id)).toEqual([second.id]);
    expect((await rejection(client.call('evaluations.detections', { id: run.id }))).code).toBe('NOT_FOUND');
    // an evaluation is a one-condition audit: its stored units go with it
    const rows = engine.db.prepare('SELECT COUNT(*) AS n FROM audit_units WHERE audit_id = ?').get(run.id) as { n: number };
    expect(rows.n).toBe(0);
    const kept = engine.db.prepare('SELECT COUNT(*) AS n FROM audit_units WHERE audit_id = ?').get(second.id) as { n: number };
    expect(kept.n).toBeGreaterThan(0);
    // the model and the dataset stay
    expect(await client.call('models.get', { id: modelId })).toMatchObject({ id: modelId });
  });

  it.each([
    ['NaN outputs', Number.NaN, /output output0 holds 30 NaN value\(s\) of 30 \(the first at element 0\): the model's outputs cannot be scored/],
    ['infinite outputs', Number.POSITIVE_INFINITY, /output output0 holds 30 infinite value\(s\) of 30/],
    ['huge outputs', [1e30, 1e30, 2e30, 2e30, 0.9, 0], /output output0 holds 20 huge \(beyond ±1000000000000000\) value\(s\) of 30 \(the first at element 0\)/],
  ] as [string, number | number[], RegExp][])('fails loudly on %s, naming the model, with nothing half-done stored', async (name, value, problem) => {
    const modelId = await model(name.replace(/\W+/g, '-'), value);
    const err = await rejection(client.call('evaluations.run', { modelId, datasetId }));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain(path.join(temp, `${name.replace(/\W+/g, '-')}.onnx`));
    expect(err.message).toMatch(problem);
    const [failed] = await client.call('evaluations.list', { modelId });
    expect(failed.status).toBe('failed');
    expect(failed.stats).toBeNull();
    expect(await client.call('evaluations.detections', { id: failed.id })).toEqual([]);
  });
});
