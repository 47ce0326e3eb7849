import { cp, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../src/engine/engine';
import { inProcessClient } from '../../../../src/engine/rpc/in-process';
import { makeGoodDataset, makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';

describe('odra relocate', () => {
  let temp: string;
  let store: string;
  let datasetId: number;
  let modelId: number;
  let modelCopy: string;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('relocate-cli');
    store = path.join(temp, 'odra.db');
    const dir = path.join(temp, 'ds');
    await makeGoodDataset(dir, 2);
    modelCopy = path.join(temp, 'nano.onnx');
    await cp(sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'), modelCopy);
    const engine = new Engine({ dbPath: store });
    try {
      const client = inProcessClient(engine);
      datasetId = (await client.call('datasets.import', { dir })).id;
      modelId = (await client.call('models.import', { path: modelCopy })).id;
    } finally {
      await engine.close();
    }
    await rename(dir, path.join(temp, 'ds-moved'));
    await rename(modelCopy, path.join(temp, 'nano-moved.onnx'));
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('points a moved dataset and model at their new places (--json)', async () => {
    const ds = await runOdra(['relocate', '--db', store, '--dataset', String(datasetId), '--dir', path.join(temp, 'ds-moved'), '--json']);
    expect(ds.stderr).not.toMatch(/odra:/);
    expect(ds.code).toBe(0);
    expect(JSON.parse(ds.stdout)).toMatchObject({ id: datasetId, root: path.join(temp, 'ds-moved'), images: 2 });
    const model = await runOdra(['relocate', '--db', store, '--model', String(modelId), '--path', path.join(temp, 'nano-moved.onnx'), '--json']);
    expect(model.code).toBe(0);
    expect(JSON.parse(model.stdout)).toMatchObject({ id: modelId, path: path.join(temp, 'nano-moved.onnx') });
  });

  it('refuses another file with exit 2, naming it', async () => {
    const other = otherModel();
    const run = await runOdra(['relocate', '--db', store, '--model', String(modelId), '--path', other]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^odra: ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not the model "nano"`));
  });

  it('refuses a store that does not exist instead of creating one', async () => {
    const missing = path.join(temp, 'none.db');
    const run = await runOdra(['relocate', '--db', missing, '--model', '1', '--path', otherModel()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`odra: --db ${missing}: there is no store there\n`);
  });
});

function otherModel(): string {
  return sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx');
}
