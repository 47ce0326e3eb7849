import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetAttributes, datasetBoxFacets, type AttributeFilter } from '../../../src/engine/datasets/attributes';
import { datasetContentHash } from '../../../src/engine/datasets/content-hash';
import { importDataset } from '../../../src/engine/datasets/import-dataset';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import type { DatasetSummary } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';
import { materialise } from '../../helpers/dataset-fixtures';

describe('dataset summaries stored at import', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  const datasets: DatasetSummary[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('summaries');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    for (const format of ['bdd', 'kitti', 'voc', 'yolo'] as const) {
      const { dir } = await materialise(format, path.join(temp, format));
      datasets.push(await client.call('datasets.import', { dir, format }));
    }
    datasets.push(await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') }));
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  it('the content hash of coco128_val2017_driving is pinned (it identifies the dataset in every result)', async () => {
    const ds = await importDataset(sharedPath('data', 'datasets', 'coco128_val2017_driving'));
    expect(datasetContentHash(ds.categories, ds.images, ds.annotations)).toBe('389b4ef6e9193c6b7b57a69001f05d479df87dea61920f40265ce82de9b8089f');
  });

  it('the stored attribute summary equals the one SQL computes from the stored rows (json_each)', () => {
    for (const ds of datasets) {
      expect(engine.datasets.attributes(ds.id), ds.name).toEqual(datasetAttributes(engine.db, ds.id));
    }
    expect(datasets.some((ds) => engine.datasets.attributes(ds.id).some((a) => a.scope === 'annotation'))).toBe(true);
  });

  it('the stored box-size and crowd image counts equal the ones SQL counts from the stored rows', () => {
    for (const ds of datasets) expect(engine.datasets.boxFacets(ds.id), ds.name).toEqual(datasetBoxFacets(engine.db, ds.id));
  });

  it('a summary of the older form (value lists without kind) is recomputed; new attributes turn the index off', () => {
    const kitti = datasets[datasets.length - 1];
    const current = engine.datasets.attributes(kitti.id);
    expect(current.some((a) => a.kind === 'range')).toBe(true);
    // what an older Odra stored: only the value-list attributes, without kind
    const old = current.filter((a) => a.kind === 'values').map(({ kind: _kind, ...rest }) => rest);
    engine.db.prepare('UPDATE datasets SET attributes_json = ?, attributes_indexed = 1, box_facets_json = NULL WHERE id = ?').run(JSON.stringify(old), kitti.id);
    expect(engine.datasets.attributes(kitti.id)).toEqual(current);
    const row = engine.db.prepare('SELECT attributes_json, attributes_indexed FROM datasets WHERE id = ?').get(kitti.id) as { attributes_json: string; attributes_indexed: number };
    expect(JSON.parse(row.attributes_json)).toEqual(current);
    // the range attributes were never in attribute_index: filters read extra_json
    expect(row.attributes_indexed).toBe(0);
    expect(engine.datasets.boxFacets(kitti.id)).toEqual(datasetBoxFacets(engine.db, kitti.id));
    engine.db.prepare('UPDATE datasets SET attributes_indexed = 1 WHERE id = ?').run(kitti.id);
  });

  it('the stored counts equal counting the rows', () => {
    for (const ds of datasets) {
      const count = (sql: string, ...args: number[]): number => (engine.db.prepare(sql).get(ds.id, ...args) as { n: number }).n;
      const got = engine.datasets.get(ds.id);
      expect(got.imageCount).toBe(count('SELECT COUNT(*) AS n FROM images WHERE dataset_id = ?'));
      expect(got.annotationCount).toBe(count('SELECT COUNT(*) AS n FROM annotations WHERE dataset_id = ?'));
      for (const c of got.categories) expect(c.count, `${ds.name} ${c.name}`).toBe(count('SELECT COUNT(*) AS n FROM annotations WHERE dataset_id = ? AND category_id = ?', c.id));
    }
  });

  it('every attribute filter gives the same images through the attribute index as through json_each', async () => {
    let compared = 0;
    for (const ds of datasets) {
      const filters = engine.datasets
        .attributes(ds.id)
        .flatMap((a): AttributeFilter[] =>
          a.kind === 'values'
            ? a.values.map((v) => ({ key: a.key, value: v.value, scope: a.scope }))
            : a.bins.map((b) => ({ key: a.key, range: { min: b.min, max: b.max, includeMax: b.includeMax }, scope: a.scope })),
        );
      const categories = [undefined, ...ds.categories.filter((c) => c.count > 0).map((c) => c.id)];
      for (const attribute of filters) {
        for (const categoryId of categories) {
          const indexed = await client.call('datasets.images', { id: ds.id, attribute, categoryId, limit: 500 });
          engine.db.prepare('UPDATE datasets SET attributes_indexed = 0 WHERE id = ?').run(ds.id);
          const scanned = await client.call('datasets.images', { id: ds.id, attribute, categoryId, limit: 500 });
          engine.db.prepare('UPDATE datasets SET attributes_indexed = 1 WHERE id = ?').run(ds.id);
          expect(indexed, `${ds.name} ${JSON.stringify(attribute)} category ${categoryId}`).toEqual(scanned);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
  }, 60_000);
});
