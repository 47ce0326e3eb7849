import { appendFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyFiles } from '../../../src/engine/audits/verify-files';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { imageFile, makeGoodDataset, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { tinyDetectorBytes } from '../../helpers/broken-models';

describe('file status of stored datasets and models', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    temp = await makeTempDir('file-status');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  it('a dataset is present after import, missing (every image) once its folder moves, and present again after relocate', async () => {
    const original = path.join(temp, 'ds');
    await makeGoodDataset(original, 3);
    const ds = await client.call('datasets.import', { dir: original });
    expect(await client.call('datasets.fileStatus', { id: ds.id })).toEqual({
      state: 'present',
      path: original,
      files: 3,
      missing: 0,
      changed: 0,
      problems: [],
      message: null,
    });

    const moved = path.join(temp, 'ds-moved');
    await rename(original, moved);
    const gone = await client.call('datasets.fileStatus', { id: ds.id });
    expect(gone).toMatchObject({ state: 'missing', path: original, files: 3, missing: 3, changed: 0 });
    expect(gone.problems).toEqual([{ file: original, problem: "the dataset's folder does not exist" }]);
    expect(gone.message).toBe(
      `${original}: the dataset's folder does not exist (moved or deleted?): relocate the dataset to the folder it was moved to, or remove it`,
    );

    await client.call('datasets.relocate', { id: ds.id, dir: moved });
    expect(await client.call('datasets.fileStatus', { id: ds.id })).toMatchObject({ state: 'present', path: moved, missing: 0 });
  });

  it('counts a deleted image as missing and an image of another size than a run verified as changed, naming each', async () => {
    const dir = path.join(temp, 'ds-partial');
    const json = await makeGoodDataset(dir, 4);
    const ds = await client.call('datasets.import', { dir });
    // a run records each image's size with its verified hash; only then can a size tell of other bytes
    const files = engine.datasets.imageFiles(ds.id);
    await verifyFiles(engine.db, files.map((f) => ({ ...f, what: `image ${f.id}` })));

    const deleted = imageFile(dir, json.images[0].file_name);
    await rm(deleted);
    const grown = imageFile(dir, json.images[2].file_name);
    await appendFile(grown, Buffer.alloc(10));
    const status = await client.call('datasets.fileStatus', { id: ds.id });
    expect(status).toMatchObject({ state: 'missing', files: 4, missing: 1, changed: 1 });
    const byFile = new Map(status.problems.map((p) => [p.file, p.problem]));
    expect(byFile.get(deleted)).toBe(`image ${json.images[0].id} does not exist`);
    expect(byFile.get(grown)).toMatch(new RegExp(`^image ${json.images[2].id} is \\d+ bytes, not the \\d+ it had: it holds other bytes now$`));
    expect(status.message).toBe(
      `${dir}: 1 missing and 1 changed (another size) of the dataset's 4 images: relocate the dataset to the folder holding its images, or import the new folder as a new dataset`,
    );

    // an empty file where the deleted image was: there again, but not with its bytes
    await writeFile(deleted, Buffer.alloc(0));
    const changedOnly = await client.call('datasets.fileStatus', { id: ds.id });
    expect(changedOnly.missing).toBe(0);
    expect(changedOnly.state).toBe('changed');
  });

  it('a model is present, changed when its file has another size, missing when moved, and present after relocate', async () => {
    const file = path.join(temp, 'tiny.onnx');
    await writeFile(file, tinyDetectorBytes(0.5));
    const model = await client.call('models.import', { path: file });
    expect(await client.call('models.fileStatus', { id: model.id })).toMatchObject({ state: 'present', path: file, files: 1, message: null });

    const moved = path.join(temp, 'tiny-moved.onnx');
    await rename(file, moved);
    const gone = await client.call('models.fileStatus', { id: model.id });
    expect(gone).toMatchObject({ state: 'missing', missing: 1, problems: [{ file, problem: 'the model file does not exist' }] });
    expect(gone.message).toBe(`${file} is missing (moved or deleted?): relocate the model to the file holding its bytes, or import the new file as a new model`);

    await writeFile(file, Buffer.concat([tinyDetectorBytes(0.5), Buffer.alloc(8)]));
    expect(await client.call('models.fileStatus', { id: model.id })).toMatchObject({ state: 'changed', changed: 1, missing: 0 });

    await client.call('models.relocate', { id: model.id, path: moved });
    expect(await client.call('models.fileStatus', { id: model.id })).toMatchObject({ state: 'present', path: moved });
  });
});
