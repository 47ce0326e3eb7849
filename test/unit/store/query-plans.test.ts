/**
 * Every query the UI's dataset requests make is answered from an index: the requests
 * are made on a real store (BDD and KITTI samples, with image and box attributes), the
 * statements they prepare are recorded with their arguments, and each one's
 * EXPLAIN QUERY PLAN must search the big tables (images, annotations, attribute_index)
 * through an index, never scan them whole. The named indexes are the ones
 * dataset-repo.ts states.
 */
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import type { DatasetSummary } from '../../../src/shared/schemas';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { materialise } from '../../helpers/dataset-fixtures';

interface Recorded {
  sql: string;
  args: unknown[];
}

const BIG_TABLES = ['images', 'annotations', 'attribute_index'];

describe('query plans of the dataset requests', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let bdd: DatasetSummary;
  let kitti: DatasetSummary;
  let recorded: Recorded[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('plans');
    engine = new Engine({ dbPath: path.join(temp, 'store.db') });
    client = inProcessClient(engine);
    bdd = await client.call('datasets.import', { dir: (await materialise('bdd', path.join(temp, 'bdd'))).dir, format: 'bdd' });
    kitti = await client.call('datasets.import', { dir: (await materialise('kitti', path.join(temp, 'kitti'))).dir, format: 'kitti' });
    // record every statement run from here on, with its arguments
    const prepare = engine.db.prepare.bind(engine.db);
    engine.db.prepare = ((sql: string) => {
      const stmt = prepare(sql);
      for (const method of ['all', 'get', 'run', 'iterate'] as const) {
        const original = (stmt[method] as (...a: unknown[]) => unknown).bind(stmt);
        (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          recorded.push({ sql, args });
          return original(...args);
        };
      }
      return stmt;
    }) as typeof engine.db.prepare;
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    if (temp) await removeDir(temp);
  });

  async function plansOf(request: () => Promise<unknown>): Promise<{ sql: string; plan: string[] }[]> {
    recorded = [];
    await request();
    const seen = new Set<string>();
    const out: { sql: string; plan: string[] }[] = [];
    for (const r of recorded) {
      if (!/^\s*SELECT/i.test(r.sql) || seen.has(r.sql)) continue;
      seen.add(r.sql);
      const rows = (engine.db.prepare(`EXPLAIN QUERY PLAN ${r.sql}`) as Statement).all(...r.args) as { detail: string }[];
      out.push({ sql: r.sql.replace(/\s+/g, ' '), plan: rows.map((x) => x.detail) });
    }
    return out;
  }

  function expectIndexed(plans: { sql: string; plan: string[] }[]): void {
    expect(plans.length).toBeGreaterThan(0);
    for (const { sql, plan } of plans) {
      for (const step of plan) {
        for (const table of BIG_TABLES) expect(step, `${sql}\n  ${plan.join('\n  ')}`).not.toMatch(new RegExp(`^SCAN ${table}\\b`));
      }
    }
  }

  const uses = (plans: { plan: string[] }[], index: RegExp): boolean => plans.some((p) => p.plan.some((step) => index.test(step)));

  it('datasets.list and datasets.get read the stored summaries, not the boxes', async () => {
    for (const plans of [await plansOf(() => client.call('datasets.list', {})), await plansOf(() => client.call('datasets.get', { id: bdd.id }))]) {
      expectIndexed(plans);
      expect(plans.every((p) => !/FROM (annotations|images)\b/.test(p.sql))).toBe(true);
    }
  });

  it('a page of images and its boxes: the images primary key and annotations_by_image', async () => {
    const plans = await plansOf(() => client.call('datasets.images', { id: kitti.id, offset: 1, limit: 60 }));
    expectIndexed(plans);
    expect(uses(plans, /SEARCH images USING .*\(dataset_id=\?\)/)).toBe(true);
    expect(uses(plans, /annotations_by_image/)).toBe(true);
  });

  it('the category filter: annotations_by_category', async () => {
    const car = bdd.categories.find((c) => c.name === 'car')!;
    const plans = await plansOf(() => client.call('datasets.images', { id: bdd.id, categoryId: car.id }));
    expectIndexed(plans);
    expect(uses(plans, /annotations_by_category/)).toBe(true);
  });

  it.each([
    ['an image attribute', { key: 'weather', value: 'rainy' }, undefined],
    ['a box attribute', { key: 'occluded', value: true, scope: 'annotation' as const }, undefined],
    ['a box attribute of one category', { key: 'truncated', value: true, scope: 'annotation' as const }, 'train'],
    ['an image attribute with a category', { key: 'weather', value: 'clear' }, 'car'],
  ])('the attribute filter (%s): attribute_index_lookup', async (_name, attribute, category) => {
    const categoryId = category ? bdd.categories.find((c) => c.name === category)!.id : undefined;
    const plans = await plansOf(() => client.call('datasets.images', { id: bdd.id, attribute, categoryId }));
    expectIndexed(plans);
    expect(uses(plans, /attribute_index_lookup/)).toBe(true);
  });

  it('a range of a box attribute (KITTI truncation bin), also of one category: attribute_index_lookup', async () => {
    const attribute = { key: 'truncated', scope: 'annotation' as const, range: { min: 0, max: 0.5, includeMax: false } };
    const car = kitti.categories.find((c) => c.name === 'Car')!;
    for (const categoryId of [undefined, car.id]) {
      const plans = await plansOf(() => client.call('datasets.images', { id: kitti.id, attribute, categoryId }));
      expectIndexed(plans);
      expect(uses(plans, /attribute_index_lookup/)).toBe(true);
    }
  });

  it.each([
    ['a box size', { boxSize: 'small' as const }],
    ['the large size (no upper bound)', { boxSize: 'large' as const }],
    ['crowd regions', { crowd: true }],
    ['no crowd regions', { crowd: false }],
  ])('the box filters (%s): annotations_by_size', async (_name, filter) => {
    const plans = await plansOf(() => client.call('datasets.images', { id: bdd.id, ...filter }));
    expectIndexed(plans);
    expect(uses(plans, /annotations_by_size/)).toBe(true);
  });

  it('datasets.boxFacets reads the stored counts', async () => {
    const plans = await plansOf(() => client.call('datasets.boxFacets', { id: bdd.id }));
    expectIndexed(plans);
    expect(plans.every((p) => !/FROM (annotations|images)\b/.test(p.sql))).toBe(true);
  });

  it('datasets.attributes reads the stored summary', async () => {
    const plans = await plansOf(() => client.call('datasets.attributes', { id: bdd.id }));
    expectIndexed(plans);
    expect(plans.every((p) => !/json_each/.test(p.sql))).toBe(true);
  });

  it('one image (the image view) and its file: primary keys and annotations_by_image', async () => {
    const imageId = (await client.call('datasets.images', { id: kitti.id, limit: 1 })).images[0].id;
    const plans = [
      ...(await plansOf(() => engine.handle('datasets.imagePath', { datasetId: kitti.id, imageId }, { signal: new AbortController().signal, progress: () => undefined }))),
      ...(await plansOf(() => Promise.resolve(engine.datasets.image(kitti.id, imageId)))),
    ];
    expectIndexed(plans);
    expect(uses(plans, /annotations_by_image/)).toBe(true);
  });
});
