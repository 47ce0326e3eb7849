import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeAttributeRows, type AttributeRow } from '../../../src/engine/datasets/attributes';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { contract } from '../../../src/shared/contract';
import type { DatasetSummary } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { materialise } from '../../helpers/dataset-fixtures';

const row = (scope: AttributeRow['scope'], key: string, type: AttributeRow['type'], atom: string | number, n: number): AttributeRow => ({
  scope,
  key,
  type,
  atom,
  n,
});

describe('summarizeAttributeRows', () => {
  it('groups by scope and key, keeps JSON types apart, orders values by count then value', () => {
    const out = summarizeAttributeRows([
      row('annotation', 'occluded', 'true', 1, 3),
      row('annotation', 'occluded', 'false', 0, 7),
      row('image', 'weather', 'text', 'rainy', 2),
      row('image', 'weather', 'text', 'clear', 5),
      row('image', 'weather', 'text', 'foggy', 2),
      row('image', 'level', 'integer', 1, 4),
      row('image', 'level', 'text', '1', 4),
      row('image', 'level', 'real', 0.5, 4),
    ]);
    expect(out).toEqual([
      { kind: 'values', key: 'level', scope: 'image', values: [{ value: 0.5, count: 4 }, { value: 1, count: 4 }, { value: '1', count: 4 }] },
      {
        kind: 'values',
        key: 'weather',
        scope: 'image',
        values: [
          { value: 'clear', count: 5 },
          { value: 'foggy', count: 2 },
          { value: 'rainy', count: 2 },
        ],
      },
      { kind: 'values', key: 'occluded', scope: 'annotation', values: [{ value: false, count: 7 }, { value: true, count: 3 }] },
    ]);
  });

  it('leaves out identifiers, bins measurements, lists categories', () => {
    const alpha = Array.from({ length: 51 }, (_, i) => row('annotation', 'alpha', 'real', i / 10, 1));
    const ids = Array.from({ length: 50 }, (_, i) => row('annotation', 'box_id', 'integer', i, 1));
    const urls = Array.from({ length: 30 }, (_, i) => row('image', 'coco_url', 'text', `http://x/${i}.jpg`, 1));
    const levels = Array.from({ length: 4 }, (_, i) => row('annotation', 'occluded', 'integer', i, 10));
    const out = summarizeAttributeRows([...alpha, ...ids, ...urls, ...levels]);
    expect(out.map((a) => [a.key, a.kind])).toEqual([
      ['alpha', 'range'],
      ['occluded', 'values'],
    ]);
  });
});

describe('datasets.attributes and the attribute filter of datasets.images', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let bdd: DatasetSummary;
  let kitti: DatasetSummary;

  beforeAll(async () => {
    temp = await makeTempDir('attributes');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    bdd = await client.call('datasets.import', { dir: (await materialise('bdd', path.join(temp, 'bdd'))).dir, format: 'bdd' });
    kitti = await client.call('datasets.import', { dir: (await materialise('kitti', path.join(temp, 'kitti'))).dir, format: 'kitti' });
  });
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  const fileNames = async (input: Parameters<OdraClient['call']>[1] & object): Promise<string[]> => {
    const page = await client.call('datasets.images', input as { id: number });
    return page.images.map((im) => path.basename(im.fileName));
  };

  it('lists BDD weather / timeofday / scene per image and occluded / truncated per box, with counts', async () => {
    const attrs = contract['datasets.attributes'].output.parse(await client.call('datasets.attributes', { id: bdd.id }));
    const get = (scope: string, key: string) => {
      const a = attrs.find((x) => x.scope === scope && x.key === key);
      return a?.kind === 'values' ? a.values : undefined;
    };
    expect(get('image', 'weather')).toEqual([
      { value: 'clear', count: 1 },
      { value: 'rainy', count: 1 },
      { value: 'snowy', count: 1 },
    ]);
    expect(get('image', 'timeofday')?.map((v) => v.value)).toEqual(['dawn/dusk', 'daytime', 'night']);
    // 11 boxes: one occluded car; two truncated (other vehicle, train)
    expect(get('annotation', 'occluded')).toEqual([
      { value: false, count: 10 },
      { value: true, count: 1 },
    ]);
    expect(get('annotation', 'truncated')).toEqual([
      { value: false, count: 9 },
      { value: true, count: 2 },
    ]);
    // image attributes come before box attributes
    const firstBox = attrs.findIndex((a) => a.scope === 'annotation');
    expect(attrs.slice(0, firstBox).every((a) => a.scope === 'image')).toBe(true);
  });

  it('filters images by an image attribute, by a box attribute, and by a box attribute of one category', async () => {
    expect(await fileNames({ id: bdd.id, attribute: { key: 'weather', value: 'rainy' } })).toEqual(['b2e54f3c-00000002.jpg']);
    expect(await fileNames({ id: bdd.id, attribute: { key: 'occluded', value: true, scope: 'annotation' } })).toEqual(['a91b7555-00000001.jpg']);
    expect(await fileNames({ id: bdd.id, attribute: { key: 'truncated', value: true, scope: 'annotation' } })).toEqual([
      'a91b7555-00000001.jpg',
      'b2e54f3c-00000002.jpg',
    ]);
    // the same box must be a train AND truncated
    const train = bdd.categories.find((c) => c.name === 'train')!;
    const car = bdd.categories.find((c) => c.name === 'car')!;
    const pedestrian = bdd.categories.find((c) => c.name === 'pedestrian')!;
    expect(await fileNames({ id: bdd.id, categoryId: train.id, attribute: { key: 'truncated', value: true, scope: 'annotation' } })).toEqual([
      'b2e54f3c-00000002.jpg',
    ]);
    // image 1 has a pedestrian and a truncated box, but not on the same box
    expect(await fileNames({ id: bdd.id, categoryId: pedestrian.id })).toEqual(['a91b7555-00000001.jpg']);
    expect(await fileNames({ id: bdd.id, categoryId: pedestrian.id, attribute: { key: 'truncated', value: true, scope: 'annotation' } })).toEqual([]);
    // an image attribute and a category combine as AND
    expect(await fileNames({ id: bdd.id, categoryId: car.id, attribute: { key: 'weather', value: 'rainy' } })).toEqual([]);
    expect(await fileNames({ id: bdd.id, categoryId: car.id, attribute: { key: 'weather', value: 'clear' } })).toEqual(['a91b7555-00000001.jpg']);
    // types are kept: the string "true" is not the boolean true
    expect(await fileNames({ id: bdd.id, attribute: { key: 'occluded', value: 'true', scope: 'annotation' } })).toEqual([]);
    const page = await client.call('datasets.images', { id: bdd.id, attribute: { key: 'weather', value: 'clear' }, limit: 1 });
    expect(page.total).toBe(1);
  });

  it('KITTI occlusion levels are numbers to filter by; images and boxes carry their scalar attributes', async () => {
    const attrs = await client.call('datasets.attributes', { id: kitti.id });
    const occluded = attrs.find((a) => a.scope === 'annotation' && a.key === 'occluded');
    // 9 boxes: 0 five times, 1 twice, 2 and 3 once (DontCare regions are not boxes)
    expect(occluded?.kind === 'values' ? occluded.values : null).toEqual([
      { value: 0, count: 5 },
      { value: 1, count: 2 },
      { value: 2, count: 1 },
      { value: 3, count: 1 },
    ]);
    expect(await fileNames({ id: kitti.id, attribute: { key: 'occluded', value: 3, scope: 'annotation' } })).toEqual(['000002.png']);
    expect(await fileNames({ id: kitti.id, attribute: { key: 'occluded', value: 1, scope: 'annotation' } })).toEqual(['000000.png', '000001.png']);
    // arrays (dimensions, dontcare boxes) are no attributes
    expect(attrs.some((a) => a.key === 'dimensions' || a.key === 'dontcare_boxes')).toBe(false);

    const { images } = await client.call('datasets.images', { id: kitti.id, limit: 1 });
    const ped = images[0].annotations.find((a) => a.attributes?.occluded === 1);
    expect(ped?.attributes).toMatchObject({ truncated: 0, occluded: 1 });
    expect(ped?.attributes).not.toHaveProperty('dimensions');
    const bddPage = await client.call('datasets.images', { id: bdd.id, limit: 1 });
    expect(bddPage.images[0].attributes).toMatchObject({ weather: 'clear', timeofday: 'daytime', scene: 'city street' });
  });
});
