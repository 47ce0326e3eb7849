import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { datasetSummarySchema, type DatasetSummary, type Progress } from '../../../src/shared/schemas';
import { makeTempDir, readCocoJson, removeDir, type CocoJson } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

const DATASETS_DIR = sharedPath('data', 'datasets');
const DATASETS = readdirSync(DATASETS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Deterministic Fisher-Yates, so a failure can be reproduced. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The same object with its keys in reverse order (JSON key order must not matter either). */
function reverseKeys<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).reverse()) as T;
}

/** A copy in another folder: shuffled arrays, other key order and layout, images/ symlinked to the original. */
async function makeReorderedCopy(sourceDir: string, json: CocoJson, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  const copy: CocoJson = {
    categories: shuffled(json.categories, 7).map(reverseKeys),
    annotations: shuffled(json.annotations, 11).map(reverseKeys),
    images: shuffled(json.images, 13).map(reverseKeys),
  };
  await writeFile(path.join(target, 'annotations.json'), JSON.stringify(copy, null, 4));
  await symlink(path.join(sourceDir, 'images'), path.join(target, 'images'));
}

describe.each(DATASETS)('importing the shared dataset %s', (name) => {
  const dir = path.join(DATASETS_DIR, name);
  let json: CocoJson;
  let engine: Engine;
  let client: OdraClient;
  let temp: string;
  const progress: Progress[] = [];
  let first: DatasetSummary;

  beforeAll(async () => {
    json = await readCocoJson(path.join(dir, 'annotations.json'));
    temp = await makeTempDir('good');
    engine = new Engine({ dbPath: ':memory:' });
    client = inProcessClient(engine);
    first = await client.call('datasets.import', { dir }, { onProgress: (p) => progress.push(p) });
  });
  afterAll(async () => {
    await engine?.close();
    await removeDir(temp);
  });

  it('stores every image, annotation and category of the JSON', async () => {
    const ds = datasetSummarySchema.parse(first);
    expect(ds.name).toBe(name);
    expect(ds.format).toBe('coco');
    expect(ds.root).toBe(dir);
    expect(ds.imageCount).toBe(json.images.length);
    expect(ds.annotationCount).toBe(json.annotations.length);
    expect(ds.contentHash).toMatch(/^[0-9a-f]{64}$/);

    const perCategory = new Map<number, number>();
    for (const a of json.annotations) perCategory.set(a.category_id, (perCategory.get(a.category_id) ?? 0) + 1);
    const expected = [...json.categories]
      .sort((a, b) => a.id - b.id)
      .map((c) => ({
        id: c.id,
        name: c.name,
        supercategory: typeof c.supercategory === 'string' ? c.supercategory : null,
        cocoEquivalent: typeof c.coco_equivalent === 'string' ? c.coco_equivalent : null,
        count: perCategory.get(c.id) ?? 0,
      }));
    expect(ds.categories).toEqual(expected);
    expect(ds.categories.reduce((s, c) => s + c.count, 0)).toBe(json.annotations.length);

    const listed = await client.call('datasets.list', {});
    expect(listed.map((d) => d.id)).toEqual([ds.id]);
  });

  it('keeps every box, size and crowd flag exactly (these datasets need no clipping)', async () => {
    const { total, images } = await client.call('datasets.images', { id: first.id, limit: 500 });
    expect(total).toBe(json.images.length);
    const byId = new Map(json.images.map((im) => [im.id, im]));
    const annotations = new Map(json.annotations.map((a) => [a.id, a]));
    let seen = 0;
    for (const im of images) {
      const src = byId.get(im.id)!;
      expect([im.fileName, im.width, im.height]).toEqual([src.file_name, src.width, src.height]);
      for (const a of im.annotations) {
        const s = annotations.get(a.id)!;
        expect(s.image_id).toBe(im.id);
        expect([a.categoryId, a.bbox, a.iscrowd]).toEqual([s.category_id, s.bbox, s.iscrowd === 1]);
        seen++;
      }
    }
    expect(seen).toBe(json.annotations.length);
    const info = JSON.parse((engine.db.prepare('SELECT info_json FROM datasets WHERE id = ?').get(first.id) as { info_json: string }).info_json) as {
      notes: string[];
    };
    expect(info.notes).toEqual([]);
  });

  it('records each image file by its SHA-256', () => {
    const im = json.images[json.images.length - 1];
    const stored = engine.db.prepare('SELECT sha256 FROM images WHERE dataset_id = ? AND id = ?').get(first.id, im.id) as { sha256: string };
    const actual = createHash('sha256').update(readFileSync(path.join(dir, 'images', im.file_name))).digest('hex');
    expect(stored.sha256).toBe(actual);
  });

  it('reports progress through the labels and up to the last image, then storing', () => {
    const stages = progress.map((p) => p.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['reading labels', 'checking images', 'storing']);
    const checking = progress.filter((p) => p.stage === 'checking images');
    expect(checking.every((p, i) => i === 0 || p.done >= checking[i - 1].done)).toBe(true);
    expect(checking.at(-1)).toMatchObject({ done: json.images.length, total: json.images.length });
    expect(progress.at(-1)).toMatchObject({ stage: 'storing', done: progress.at(-1)?.total });
  });

  it('re-importing the same folder returns the same dataset and adds nothing', async () => {
    const again = await client.call('datasets.import', { dir });
    expect(again.id).toBe(first.id);
    expect(again.contentHash).toBe(first.contentHash);
    expect((await client.call('datasets.list', {})).length).toBe(1);
  });

  it('has the same content hash for a reordered copy in another folder, imported into a fresh store', async () => {
    const copyDir = path.join(temp, 'reordered');
    await makeReorderedCopy(dir, json, copyDir);
    const fresh = new Engine({ dbPath: ':memory:' });
    try {
      const fromCopy = await inProcessClient(fresh).call('datasets.import', { dir: copyDir });
      expect(fromCopy.root).toBe(copyDir);
      expect(fromCopy.imageCount).toBe(json.images.length);
      expect(fromCopy.contentHash).toBe(first.contentHash);
    } finally {
      await fresh.close();
    }
  });
});

describe('the shared datasets', () => {
  it('are all there', () => {
    expect(DATASETS).toEqual(expect.arrayContaining(['coco128_train2017_driving', 'coco128_val2017_driving', 'kitti_tiny_2d']));
  });

  it('a dataset whose one box moved by 0.01 px gets another content hash and id', async () => {
    const dir = path.join(DATASETS_DIR, 'coco128_train2017_driving');
    const json = await readCocoJson(path.join(dir, 'annotations.json'));
    const temp = await makeTempDir('moved');
    const engine = new Engine({ dbPath: ':memory:' });
    try {
      const client = inProcessClient(engine);
      const original = await client.call('datasets.import', { dir });
      const moved = structuredClone(json);
      const a = moved.annotations[moved.annotations.length - 1];
      a.bbox = [(a.bbox[0] as number) + 0.01, a.bbox[1], a.bbox[2], a.bbox[3]];
      await makeReorderedCopy(dir, moved, path.join(temp, 'moved'));
      const changed = await client.call('datasets.import', { dir: path.join(temp, 'moved') });
      expect(changed.contentHash).not.toBe(original.contentHash);
      expect(changed.id).not.toBe(original.id);
      expect((await client.call('datasets.list', {})).length).toBe(2);
    } finally {
      await engine.close();
      await removeDir(temp);
    }
  });
});
