/**
 * The dataset browser's filters on the real datasets in ../shared: each filter's image
 * list is checked against the images whose annotations satisfy it, computed here
 * straight from the dataset's annotations.json (not through the store).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import type { AttributeSummaryDto, BoxSize, DatasetSummary } from '../../../src/shared/schemas';
import { sharedPath } from '../../helpers/shared';

interface CocoFile {
  images: ({ id: number; file_name: string } & Record<string, unknown>)[];
  annotations: ({ id: number; image_id: number; category_id: number; area: number; iscrowd: number } & Record<string, unknown>)[];
  categories: { id: number; name: string }[];
}

type Ann = CocoFile['annotations'][number];

const SIZE_OF = (area: number): BoxSize => (area < 32 * 32 ? 'small' : area < 96 * 96 ? 'medium' : 'large');

describe('attribute, box-size and crowd filters on the shared COCO and KITTI datasets', () => {
  let engine: Engine;
  let client: OdraClient;
  const ds: Record<string, { summary: DatasetSummary; file: CocoFile }> = {};

  beforeAll(async () => {
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    for (const name of ['coco128_train2017_driving', 'coco128_val2017_driving', 'kitti_tiny_2d']) {
      const dir = sharedPath('data', 'datasets', name);
      const summary = await client.call('datasets.import', { dir });
      ds[name] = { summary, file: JSON.parse(readFileSync(path.join(dir, 'annotations.json'), 'utf8')) as CocoFile };
    }
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  /** File names the listing returns for a filter (every page). */
  async function listed(name: string, filter: Record<string, unknown>): Promise<string[]> {
    const { summary } = ds[name];
    const out: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await client.call('datasets.images', { id: summary.id, offset, limit: 500, ...filter });
      out.push(...page.images.map((im) => im.fileName));
      if (out.length >= page.total) {
        expect(out.length).toBe(page.total);
        return out.sort();
      }
    }
  }

  /** File names of the images that have at least one annotation satisfying `pred`. */
  function expected(name: string, pred: (a: Ann) => boolean): string[] {
    const { file } = ds[name];
    const ids = new Set(file.annotations.filter(pred).map((a) => a.image_id));
    return file.images.filter((im) => ids.has(im.id)).map((im) => im.file_name).sort();
  }

  const categoryId = (name: string, category: string): number => {
    const c = ds[name].summary.categories.find((x) => x.name === category);
    if (!c) throw new Error(`${name} has no category ${category}`);
    return c.id;
  };
  const fileCategoryId = (name: string, category: string): number => ds[name].file.categories.find((c) => c.name === category)!.id;

  it('does not offer per-image URLs, frame names, paths or per-box ids as filters; keeps the licence as a value list', async () => {
    const keys = async (name: string): Promise<AttributeSummaryDto[]> => client.call('datasets.attributes', { id: ds[name].summary.id });
    for (const name of ['coco128_train2017_driving', 'coco128_val2017_driving']) {
      const attrs = await keys(name);
      for (const hidden of ['coco_url', 'flickr_url', 'coco_annotation_id', 'yolo_line']) expect(attrs.some((a) => a.key === hidden), `${name} ${hidden}`).toBe(false);
      expect(attrs.find((a) => a.key === 'license')?.kind, name).toBe('values');
    }
    const train = await keys('coco128_train2017_driving');
    // the mask area is a measurement: bins, not one option per value
    expect(train.find((a) => a.key === 'seg_area')?.kind).toBe('range');
    const kitti = await keys('kitti_tiny_2d');
    expect(kitti.some((a) => a.key === 'kitti_frame' || a.key === 'source_path')).toBe(false);
    expect(kitti.find((a) => a.key === 'occluded')?.kind).toBe('values');
    expect(kitti.find((a) => a.key === 'truncated')?.kind).toBe('range');
  });

  it('each box-size class lists exactly the images with a non-crowd box of that COCO area range, with the stored counts', async () => {
    for (const name of ['coco128_train2017_driving', 'coco128_val2017_driving', 'kitti_tiny_2d']) {
      const facets = await client.call('datasets.boxFacets', { id: ds[name].summary.id });
      for (const size of ['small', 'medium', 'large'] as const) {
        const want = expected(name, (a) => a.iscrowd === 0 && SIZE_OF(a.area) === size);
        expect(await listed(name, { boxSize: size }), `${name} ${size}`).toEqual(want);
        expect(facets.sizes[size], `${name} ${size} count`).toBe(want.length);
      }
      expect(facets.crowd.yes).toBe(expected(name, (a) => a.iscrowd === 1).length);
    }
  });

  it('a box size with a category needs one box of both (small persons), and combines with an attribute', async () => {
    const name = 'coco128_val2017_driving';
    for (const category of ['person', 'car']) {
      const c = fileCategoryId(name, category);
      for (const size of ['small', 'medium', 'large'] as const) {
        const want = expected(name, (a) => a.iscrowd === 0 && a.category_id === c && SIZE_OF(a.area) === size);
        expect(await listed(name, { boxSize: size, categoryId: categoryId(name, category) }), `${category} ${size}`).toEqual(want);
      }
    }
    const licence = ds[name].file.images[0].license as number;
    const withLicence = new Set(ds[name].file.images.filter((im) => im.license === licence).map((im) => im.file_name));
    const large = expected(name, (a) => a.iscrowd === 0 && SIZE_OF(a.area) === 'large').filter((f) => withLicence.has(f));
    expect(large.length).toBeGreaterThan(0);
    expect(await listed(name, { boxSize: 'large', attribute: { key: 'license', value: licence } })).toEqual(large);
  });

  it('the crowd filter lists the images with crowd regions, and without one the rest', async () => {
    const name = 'coco128_train2017_driving';
    const crowd = expected(name, (a) => a.iscrowd === 1);
    expect(crowd.length).toBeGreaterThan(0);
    expect(await listed(name, { crowd: true })).toEqual(crowd);
    const all = ds[name].file.images.map((im) => im.file_name).sort();
    expect(await listed(name, { crowd: false })).toEqual(all.filter((f) => !crowd.includes(f)));
    const person = fileCategoryId(name, 'person');
    expect(await listed(name, { crowd: true, categoryId: categoryId(name, 'person') })).toEqual(expected(name, (a) => a.iscrowd === 1 && a.category_id === person));
  });

  it('each bin of KITTI truncation lists the images with a box truncated that much, also of one category', async () => {
    const name = 'kitti_tiny_2d';
    const attrs = await client.call('datasets.attributes', { id: ds[name].summary.id });
    const truncated = attrs.find((a) => a.key === 'truncated' && a.scope === 'annotation');
    if (truncated?.kind !== 'range') throw new Error('truncated is offered as a range');
    expect(truncated.bins.length).toBeGreaterThanOrEqual(3);
    const boxes = ds[name].file.annotations;
    expect(truncated.bins.reduce((s, b) => s + b.count, 0)).toBe(boxes.length);
    const car = fileCategoryId(name, 'Car');
    for (const b of truncated.bins) {
      const inBin = (a: Ann): boolean => {
        const t = a.truncated as number;
        return t >= b.min && (b.includeMax ? t <= b.max : t < b.max);
      };
      expect(b.count, `${b.min}..${b.max}`).toBe(boxes.filter(inBin).length);
      const range = { min: b.min, max: b.max, includeMax: b.includeMax };
      const filter = { attribute: { key: 'truncated', scope: 'annotation', range } };
      expect(await listed(name, filter), `${b.min}..${b.max}`).toEqual(expected(name, inBin));
      expect(await listed(name, { ...filter, categoryId: categoryId(name, 'Car') })).toEqual(expected(name, (a) => inBin(a) && a.category_id === car));
      // the same through json_each, as for a dataset stored before the index
      engine.db.prepare('UPDATE datasets SET attributes_indexed = 0 WHERE id = ?').run(ds[name].summary.id);
      const scanned = await listed(name, filter);
      engine.db.prepare('UPDATE datasets SET attributes_indexed = 1 WHERE id = ?').run(ds[name].summary.id);
      expect(scanned).toEqual(expected(name, inBin));
    }
  });

  it('a free range and a small box combine as AND (truncated at least 0.3 and a small box)', async () => {
    const name = 'kitti_tiny_2d';
    const truncatedImages = new Set(expected(name, (a) => (a.truncated as number) >= 0.3));
    const want = expected(name, (a) => a.iscrowd === 0 && SIZE_OF(a.area) === 'small').filter((f) => truncatedImages.has(f));
    const got = await listed(name, { boxSize: 'small', attribute: { key: 'truncated', scope: 'annotation', range: { min: 0.3, max: 1, includeMax: true } } });
    expect(got).toEqual(want);
  });
});
