/**
 * How a dataset lands in the store and leaves it: in bounded batches, invisible until
 * complete, and without a trace when cancelled, crashed or deleted.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../../src/engine/engine';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { Progress } from '../../../src/shared/schemas';
import { dumpStore, makeGoodDataset, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { makeScaleDataset } from '../../helpers/scale-dataset';

function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return dumpStore(db);
  } finally {
    db.close();
  }
}

describe('datasets in the store', () => {
  let temp: string;
  let big: string;

  beforeAll(async () => {
    temp = await makeTempDir('dataset-store');
    big = path.join(temp, 'big');
    await makeScaleDataset(big, 600, { seed: 11 });
  }, 120_000);
  afterAll(async () => {
    await removeDir(temp);
  });

  it('stores in several batches, answering other requests between them, and shows the dataset only when complete', async () => {
    const engine = new Engine({ dbPath: ':memory:' });
    const client = inProcessClient(engine);
    const small = path.join(temp, 'small');
    await makeGoodDataset(small, 2);
    const other = await client.call('datasets.import', { dir: small });
    const storing: Progress[] = [];
    const seenDuring: number[][] = [];
    const done = client.call('datasets.import', { dir: big }, {
      onProgress: (p) => {
        if (p.stage !== 'storing') return;
        storing.push(p);
        // a request made while the import is storing: the partial dataset is not listed
        void client.call('datasets.list', {}).then((list) => seenDuring.push(list.map((d) => d.id)));
      },
    });
    const ds = await done;
    expect(storing.length).toBeGreaterThan(1);
    expect(storing.at(-1)).toMatchObject({ done: storing.at(-1)!.total });
    await vi.waitFor(() => expect(seenDuring.length).toBe(storing.length));
    expect(seenDuring.slice(0, -1).every((ids) => ids.length === 1 && ids[0] === other.id)).toBe(true);
    expect((await client.call('datasets.list', {})).map((d) => d.id)).toEqual([other.id, ds.id]);
    await engine.close();
  });

  it('a cancel while storing leaves the store as it was', async () => {
    const file = path.join(temp, 'cancel.db');
    const engine = new Engine({ dbPath: file });
    const client = inProcessClient(engine);
    const small = path.join(temp, 'small-2');
    await makeGoodDataset(small, 3);
    await client.call('datasets.import', { dir: small });
    await engine.close();
    const before = dump(file);

    const again = new Engine({ dbPath: file });
    const controller = new AbortController();
    const cancelled = inProcessClient(again).call('datasets.import', { dir: big }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'storing' && p.done > 0) controller.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    await again.close();
    expect(dump(file)).toEqual(before);
  });

  it('rows of an import cut short by a crash are removed at the next start', async () => {
    const file = path.join(temp, 'crash.db');
    const engine = new Engine({ dbPath: file });
    await engine.close();
    const before = dump(file);
    // what a killed import leaves: a hidden dataset row with some of its rows
    const db = new Database(file);
    db.prepare("INSERT INTO datasets (name, root, format, content_hash, info_json, created_at, state) VALUES ('x', '/x', 'coco', 'h', '{}', 't', 'importing')").run();
    db.prepare("INSERT INTO images (dataset_id, id, file_name, width, height, sha256) VALUES (1, 1, 'a.jpg', 1, 1, 's')").run();
    db.prepare('INSERT INTO annotations (dataset_id, id, image_id, category_id, x, y, w, h, area, iscrowd) VALUES (1, 1, 1, 1, 0, 0, 1, 1, 1, 0)').run();
    db.prepare("INSERT INTO attribute_index (dataset_id, scope, key, value, image_id) VALUES (1, 'image', 'k', '1', 1)").run();
    db.close();
    const restarted = new Engine({ dbPath: file });
    expect(await inProcessClient(restarted).call('datasets.list', {})).toEqual([]);
    await restarted.close();
    const after = dump(file);
    expect(after.datasets).toEqual([]);
    expect(after.images).toEqual([]);
    expect(after.annotations).toEqual([]);
    expect(after.attribute_index).toEqual([]);
    expect(after.schema_version).toEqual(before.schema_version);
  });

  it('delete removes every row of the dataset (in batches) and nothing of another', async () => {
    const file = path.join(temp, 'delete.db');
    const engine = new Engine({ dbPath: file });
    const client = inProcessClient(engine);
    const small = path.join(temp, 'small-3');
    await makeGoodDataset(small, 2);
    const keep = await client.call('datasets.import', { dir: small });
    await engine.close();
    const before = dump(file);
    const again = new Engine({ dbPath: file });
    const c2 = inProcessClient(again);
    const gone = await c2.call('datasets.import', { dir: big });
    expect(await c2.call('datasets.delete', { id: gone.id })).toEqual({ deleted: true });
    expect(await c2.call('datasets.delete', { id: gone.id })).toEqual({ deleted: false });
    expect((await c2.call('datasets.list', {})).map((d) => d.id)).toEqual([keep.id]);
    await again.close();
    const after = dump(file);
    for (const table of ['datasets', 'images', 'annotations', 'categories', 'attribute_index']) expect(after[table], table).toEqual(before[table]);
  });
});
