import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDatasetFormat } from '../../../src/engine/datasets/detect-format';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { dumpStore, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { importError, materialise, rejection } from '../../helpers/dataset-fixtures';

describe('detecting the format of a dataset folder', () => {
  let temp: string;
  const dirs: Record<string, string> = {};
  beforeAll(async () => {
    temp = await makeTempDir('detect');
    for (const name of ['yolo', 'yolo-roboflow', 'voc', 'kitti', 'bdd']) dirs[name] = (await materialise(name, path.join(temp, name))).dir;
  });
  afterAll(async () => {
    if (temp) await removeDir(temp);
  });

  it('recognises each sample folder and the shared COCO sets', async () => {
    expect(await detectDatasetFormat(dirs.yolo)).toEqual({ format: 'yolo', evidence: 'data.yaml' });
    expect(await detectDatasetFormat(dirs['yolo-roboflow'])).toEqual({ format: 'yolo', evidence: 'data.yaml' });
    expect(await detectDatasetFormat(dirs.voc)).toEqual({ format: 'voc', evidence: 'Annotations/ and JPEGImages/' });
    expect(await detectDatasetFormat(dirs.kitti)).toEqual({ format: 'kitti', evidence: 'label_2/ and image_2/' });
    expect(await detectDatasetFormat(dirs.bdd)).toEqual({
      format: 'bdd',
      evidence: [path.join('labels', 'det_20', 'det_train.json'), path.join('labels', 'det_20', 'det_val.json')].join(', '),
    });
    expect(await detectDatasetFormat(sharedPath('data', 'datasets', 'kitti_tiny_2d'))).toEqual({ format: 'coco', evidence: 'annotations.json' });
  });

  it('a YOLO description under another name is found when it is the only YAML with names:', async () => {
    const dir = path.join(temp, 'coco8');
    await mkdir(dir);
    await writeFile(path.join(dir, 'coco8.yaml'), 'path: .\nval: images/val\nnames:\n  0: person\n');
    await writeFile(path.join(dir, 'hyp.yaml'), 'lr0: 0.01\n');
    expect(await detectDatasetFormat(dir)).toEqual({ format: 'yolo', evidence: 'coco8.yaml' });
  });

  it('an unrecognised folder: the error lists what was looked for and a subfolder that would do', async () => {
    const dir = path.join(temp, 'VOCdevkit');
    await cp(dirs.voc, path.join(dir, 'VOC2007'), { recursive: true });
    await writeFile(path.join(dir, 'notes.json'), '{"a": 1}');
    const err = await rejection(detectDatasetFormat(dir));
    expect(err.code).toBe('BAD_INPUT');
    const first = err.message.split('\n')[0];
    expect(first).toContain(`${dir} is not a dataset folder Odra recognises: looked for`);
    for (const sign of [
      `${path.join(dir, 'annotations.json')} + images/ (COCO)`,
      `${path.join(dir, 'data.yaml')} + images/ + labels/ (YOLO)`,
      `${path.join(dir, 'Annotations')}/ + JPEGImages/ (Pascal VOC)`,
      `${path.join(dir, 'label_2')}/ + image_2/ (KITTI)`,
      'box2d labels',
    ]) {
      expect(first).toContain(sign);
    }
    expect(first).toContain(`Did you mean ${path.join(dir, 'VOC2007')} (voc)?`);
  });

  it('a folder matching two formats asks for the format', async () => {
    const dir = path.join(temp, 'both');
    await cp(dirs.kitti, dir, { recursive: true });
    await writeFile(path.join(dir, 'data.yaml'), 'names: [car]\n');
    const err = await rejection(detectDatasetFormat(dir));
    expect(err.message.split('\n')[0]).toBe(`${dir} looks like several dataset formats: yolo (data.yaml), kitti (label_2/ and image_2/); name the format to import it as`);
  });

  it('a missing folder', async () => {
    const err = await rejection(detectDatasetFormat(path.join(temp, 'nope')));
    expect(err.message).toContain(path.join(temp, 'nope'));
  });
});

describe('datasets.import through the engine, every format', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  beforeAll(async () => {
    temp = await makeTempDir('import-formats');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  it.each([
    ['yolo', 'yolo', 3, 6],
    ['yolo-roboflow', 'yolo', 1, 2],
    ['voc', 'voc', 2, 6],
    ['kitti', 'kitti', 3, 9],
    ['bdd', 'bdd', 3, 11],
  ] as const)('%s is detected and stored as %s', async (fixture, format, imageCount, annotationCount) => {
    const { dir } = await materialise(fixture, path.join(temp, fixture));
    const ds = await client.call('datasets.import', { dir });
    expect(ds.format).toBe(format);
    expect(ds.imageCount).toBe(imageCount);
    expect(ds.annotationCount).toBe(annotationCount);
    expect(ds.categories.reduce((n, c) => n + c.count, 0)).toBe(annotationCount);
    const page = await client.call('datasets.images', { id: ds.id });
    expect(page.images.reduce((n, im) => n + im.annotations.length, 0)).toBe(annotationCount);
    const first = await client.call('datasets.imagePath', { datasetId: ds.id, imageId: page.images[0].id });
    expect(first.path.startsWith(first.root)).toBe(true);
    // image attributes travel to the store
    const extra = engine.db.prepare('SELECT extra_json FROM images WHERE dataset_id = ? ORDER BY id LIMIT 1').get(ds.id) as { extra_json: string | null };
    if (format === 'bdd') expect(JSON.parse(extra.extra_json!)).toMatchObject({ weather: 'clear', timeofday: 'daytime', scene: 'city street' });
    if (format === 'kitti') expect(JSON.parse(extra.extra_json!).dontcare_boxes).toHaveLength(2);
  });

  it('format and split given by the caller override detection', async () => {
    const { dir } = await materialise('voc', path.join(temp, 'voc-split'));
    const ds = await client.call('datasets.import', { dir, format: 'voc', split: 'train' });
    expect(ds.imageCount).toBe(1);
    expect(ds.notes).toContain('image set ImageSets/Main/train.txt');
    const before = dumpStore(engine.db);
    const wrong = await importError(client, { dir, format: 'kitti' });
    expect(wrong.code).toBe('BAD_INPUT');
    expect(wrong.message).toContain(path.join(dir, 'label_2'));
    const coco = await importError(client, { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d'), split: 'val' });
    expect(coco.message).toMatch(/COCO folder has one annotations\.json and no splits/);
    expect(dumpStore(engine.db)).toEqual(before);
  });

  it('refuses an unknown format name at the contract', async () => {
    const err = await importError(client, { dir: temp, format: 'csv' as never });
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/format/);
  });
});
