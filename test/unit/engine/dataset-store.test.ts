import { cp, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { alreadyImportedMessage } from '../../../src/shared/schemas';
import { imageFile, makeGoodDataset, makeTempDir, removeDir, writeCocoJson } from '../../helpers/broken-datasets';
import { rejection } from '../../helpers/dataset-fixtures';

describe('datasets: already imported, rename, relocate, empty', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    temp = await makeTempDir('dataset-store');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  it('a second import of the same content says where the stored copy reads from, and renames on request', async () => {
    const first = path.join(temp, 'first');
    await makeGoodDataset(first, 2);
    const stored = await client.call('datasets.import', { dir: first, name: 'coco-2' });
    expect(stored.alreadyImported).toBeUndefined();

    const second = path.join(temp, 'second');
    await cp(first, second, { recursive: true });
    const again = await client.call('datasets.import', { dir: second, name: 'coco-copy' });
    expect(again.id).toBe(stored.id);
    expect(again.root).toBe(first);
    expect(again.alreadyImported).toEqual({ requestedName: 'coco-copy', requestedPath: second });
    expect(alreadyImportedMessage('dataset', { name: again.name, path: again.root }, again.alreadyImported!)).toBe(
      `this dataset is already imported as "coco-2" (from ${first}, which holds the same images and labels; Odra reads it from there): ` +
        'nothing new was imported; it keeps its name "coco-2" unless you rename it to "coco-copy"',
    );
    expect(await client.call('datasets.list', {})).toHaveLength(1);

    const renamed = await client.call('datasets.rename', { id: stored.id, name: 'coco-copy' });
    expect(renamed.name).toBe('coco-copy');
    const blank = await rejection(client.call('datasets.rename', { id: stored.id, name: '   ' }));
    expect(blank.code).toBe('BAD_INPUT');
  });

  it('relocates a moved folder after re-hashing every image there, and refuses a folder with other images', async () => {
    const original = path.join(temp, 'to-move');
    const json = await makeGoodDataset(original, 3);
    const ds = await client.call('datasets.import', { dir: original });
    const moved = path.join(temp, 'moved-here');
    await rename(original, moved);

    const changed = path.join(temp, 'changed');
    await cp(moved, changed, { recursive: true });
    const victim = imageFile(changed, json.images[1].file_name);
    await writeFile(victim, Buffer.concat([Buffer.from('not the same bytes'), Buffer.alloc(16)]));
    const refused = await rejection(client.call('datasets.relocate', { id: ds.id, dir: changed }));
    expect(refused.message).toMatch(new RegExp(`^${changed} does not hold this dataset's images: 1 of 3 differ`));
    expect(refused.message).toContain(victim);
    expect(refused.message).toMatch(/is not the imported image \(SHA-256 [0-9a-f]{12}…, imported [0-9a-f]{12}…\)/);
    expect((await client.call('datasets.get', { id: ds.id })).root).toBe(original);

    const relocated = await client.call('datasets.relocate', { id: ds.id, dir: moved });
    expect(relocated.root).toBe(moved);
    expect(relocated.contentHash).toBe(ds.contentHash);
    const located = await client.call('datasets.imagePath', { datasetId: ds.id, imageId: json.images[0].id });
    expect(located).toEqual({ path: `${path.join(moved, 'images')}/${json.images[0].file_name}`, root: path.join(moved, 'images') });
  });

  it('refuses a dataset without images or without boxes, naming the folder, and stores nothing', async () => {
    const before = await client.call('datasets.list', {});
    const noImages = path.join(temp, 'no-images');
    await mkdir(path.join(noImages, 'images'), { recursive: true });
    await writeCocoJson(noImages, { images: [], annotations: [], categories: [{ id: 1, name: 'car' }] });
    const e1 = await rejection(client.call('datasets.import', { dir: noImages }));
    expect(e1.message).toBe(`${noImages} holds no images: there is nothing to evaluate`);

    const noBoxes = path.join(temp, 'no-boxes');
    const json = await makeGoodDataset(noBoxes, 1);
    await writeCocoJson(noBoxes, { ...json, annotations: [] });
    const e2 = await rejection(client.call('datasets.import', { dir: noBoxes }));
    expect(e2.message).toBe(`${noBoxes} has 1 image(s) but not one box: are its label files missing or empty?`);
    expect(await client.call('datasets.list', {})).toEqual(before);
  });
});
