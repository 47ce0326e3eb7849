import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBox } from '../../../src/engine/datasets/coco-import';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import { OdraError } from '../../../src/shared/errors';
import {
  BROKEN_CASES,
  dumpStore,
  makeBorderCrossingDataset,
  makeGoodDataset,
  makeTempDir,
  removeDir,
  writeCocoJson,
  type CocoJson,
} from '../../helpers/broken-datasets';

async function importError(client: OdraClient, dir: string): Promise<OdraError> {
  const outcome = await client.call('datasets.import', { dir }).then(
    (ds) => new Error(`import of ${dir} succeeded (dataset ${ds.id}) but must fail`),
    (err: unknown) => err,
  );
  if (!(outcome instanceof OdraError)) throw outcome;
  return outcome;
}

describe('importing a broken COCO dataset', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;
  let goodId: number;
  let caseNo = 0;

  /** A fresh copy of the good base (3 real images) for one case. */
  async function freshBase(): Promise<{ dir: string; json: CocoJson }> {
    const dir = path.join(temp, `case-${++caseNo}`);
    return { dir, json: await makeGoodDataset(dir) };
  }

  beforeAll(async () => {
    temp = await makeTempDir('broken');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
    client = inProcessClient(engine);
    // the store is not empty: a failed import must not disturb what is already there
    const good = path.join(temp, 'good');
    await makeGoodDataset(good, 2);
    goodId = (await client.call('datasets.import', { dir: good })).id;
  });
  afterAll(async () => {
    await engine?.close();
    await removeDir(temp);
  });

  it('the untouched base dataset imports (so each case fails for its own reason)', async () => {
    const { dir, json } = await freshBase();
    const ds = await client.call('datasets.import', { dir });
    expect(ds.imageCount).toBe(json.images.length);
    expect(await client.call('datasets.delete', { id: ds.id })).toEqual({ deleted: true });
  });

  it.each(BROKEN_CASES.map((c) => [c.name, c] as const))('%s: BAD_INPUT naming the file and the problem; store unchanged', async (_name, brokenCase) => {
    const { dir, json } = await freshBase();
    const expected = await brokenCase.make(dir, json);
    const before = dumpStore(engine.db);

    const err = await importError(client, dir);
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain(expected.file);
    expect(err.message).toMatch(expected.problem);
    const problems = err.details?.problems ?? [];
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.file === expected.file)).toBe(true);
    if (expected.line !== undefined) {
      expect(problems[0].line).toBe(expected.line);
    }

    expect(dumpStore(engine.db)).toEqual(before);
    expect((await client.call('datasets.list', {})).map((d) => d.id)).toEqual([goodId]);
  });

  it('lists every problem, not just the first', async () => {
    const { dir, json } = await freshBase();
    const bad = structuredClone(json);
    for (const a of bad.annotations.slice(0, 7)) a.bbox = [1, 1, -1, 5];
    await writeCocoJson(dir, bad);
    const before = dumpStore(engine.db);
    const err = await importError(client, dir);
    expect(err.details?.problems).toHaveLength(7);
    expect(err.message).toMatch(/7 problem\(s\)/);
    expect(err.message).toMatch(/and 2 more/);
    expect(dumpStore(engine.db)).toEqual(before);
  });

  it('reports a bad image or category entry once, not again for every annotation referring to it', async () => {
    const { dir, json } = await freshBase();
    const bad = structuredClone(json);
    bad.images[0].file_name = '../../outside.jpg';
    const usedCategory = bad.annotations.find((a) => a.image_id !== bad.images[0].id)!.category_id;
    const category = bad.categories.find((c) => c.id === usedCategory)!;
    delete (category as { name?: string }).name;
    await writeCocoJson(dir, bad);
    const err = await importError(client, dir);
    expect(err.details?.problems?.map((p) => p.problem)).toEqual([
      expect.stringMatching(/^categories\[\d+\]\.name: /),
      expect.stringMatching(/^images\[0\] \(id \d+\): file_name "\.\.\/\.\.\/outside\.jpg" must be a path inside images\/$/),
    ]);
  });

  it('reports every bad image of a dataset together', async () => {
    const { dir, json } = await freshBase();
    await rm(path.join(dir, 'images', json.images[0].file_name));
    await writeFile(path.join(dir, 'images', json.images[1].file_name), 'garbage');
    const err = await importError(client, dir);
    expect(err.message).toMatch(/2 image\(s\) of .* cannot be used/);
    expect(err.details?.problems?.map((p) => p.file).sort()).toEqual(
      [json.images[0].file_name, json.images[1].file_name].map((f) => path.join(dir, 'images', f)).sort(),
    );
  });

  it('refuses a folder without annotations.json, without images/, or that does not exist', async () => {
    const before = dumpStore(engine.db);
    const noJson = path.join(temp, 'no-json');
    await mkdir(path.join(noJson, 'images'), { recursive: true });
    let err = await importError(client, noJson);
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain(path.join(noJson, 'annotations.json'));

    const noImages = path.join(temp, 'no-images');
    await mkdir(noImages, { recursive: true });
    await writeFile(path.join(noImages, 'annotations.json'), '{"images": [], "annotations": [], "categories": []}');
    err = await importError(client, noImages);
    expect(err.message).toContain(path.join(noImages, 'images'));
    expect(err.message).toMatch(/images\/ folder/);

    const missing = path.join(temp, 'does-not-exist');
    err = await importError(client, missing);
    expect(err.message).toContain(missing);
    expect(dumpStore(engine.db)).toEqual(before);
  });

  it('clips a box crossing the border, records a note and imports', async () => {
    const { dir, json } = await freshBase();
    const { annotationId, clipped } = await makeBorderCrossingDataset(dir, json);
    const original = json.annotations.find((a) => a.id === annotationId)!;
    const ds = await client.call('datasets.import', { dir });
    expect(ds.annotationCount).toBe(json.annotations.length);
    const row = engine.db
      .prepare('SELECT x, y, w, h, area FROM annotations WHERE dataset_id = ? AND id = ?')
      .get(ds.id, annotationId) as { x: number; y: number; w: number; h: number; area: number };
    expect([row.x, row.y, row.w, row.h]).toEqual(clipped);
    // COCO's area is the mask area (inside the image already): kept as given
    expect(row.area).toBe(original.area);
    const info = JSON.parse((engine.db.prepare('SELECT info_json FROM datasets WHERE id = ?').get(ds.id) as { info_json: string }).info_json) as {
      notes: string[];
    };
    expect(info.notes).toEqual(['1 box(es) crossing the image border were clipped to the image']);
    await client.call('datasets.delete', { id: ds.id });
  });
});

describe('checkBox (the box policy)', () => {
  it('keeps a box that touches the border exactly', () => {
    expect(checkBox([0, 0, 640, 480], 640, 480)).toEqual({ bbox: [0, 0, 640, 480], clipped: false });
    expect(checkBox([600.5, 10, 39.5, 20], 640, 480)).toEqual({ bbox: [600.5, 10, 39.5, 20], clipped: false });
  });
  it('clips on every side', () => {
    expect(checkBox([-5, 10, 20, 20], 640, 480)).toEqual({ bbox: [0, 10, 15, 20], clipped: true });
    expect(checkBox([630, 470, 20, 20], 640, 480)).toEqual({ bbox: [630, 470, 10, 10], clipped: true });
    expect(checkBox([-1, -1, 700, 500], 640, 480)).toEqual({ bbox: [0, 0, 640, 480], clipped: true });
  });
  it('rejects boxes outside, touching from outside, degenerate or not numeric', () => {
    for (const box of [
      [640, 0, 10, 10],
      [-10, 0, 10, 10],
      [0, 480, 10, 10],
      [5, 5, 0, 10],
      [5, 5, 10, -1],
      [5, 5, Number.POSITIVE_INFINITY, 1],
      [5, 5, Number.NaN, 1],
      ['5', 5, 1, 1],
      [5, 5, 1],
      [5, 5, 1, 1, 1],
    ]) {
      expect(checkBox(box, 640, 480), JSON.stringify(box)).toHaveProperty('problem');
    }
  });
});
