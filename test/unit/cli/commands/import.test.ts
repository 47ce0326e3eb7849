import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../src/engine/engine';
import { inProcessClient } from '../../../../src/engine/rpc/in-process';
import { BROKEN_CASES, dumpStore, makeGoodDataset, makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';

function readStore(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return dumpStore(db);
  } finally {
    db.close();
  }
}

describe.concurrent('odra import', () => {
  let temp: string;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli-import');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('--json prints what the app stores: id, name, content hash and counts, equal to the engine import', async () => {
    const dir = sharedPath('data', 'datasets', 'kitti_tiny_2d');
    const db = path.join(temp, 'json.db');
    const run = await runOdra(['import', '--dataset', dir, '--db', db, '--name', 'kitti tiny', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    const engine = new Engine({ dbPath: ':memory:' });
    try {
      const ds = await inProcessClient(engine).call('datasets.import', { dir });
      expect(out).toMatchObject({
        id: 1,
        name: 'kitti tiny',
        format: ds.format,
        content_hash: ds.contentHash,
        images: ds.imageCount,
        annotations: ds.annotationCount,
        categories: ds.categories.length,
      });
    } finally {
      await engine.close();
    }
    // the store holds it: `odra serve --db` and the app would list it
    const stored = readStore(db).datasets as { name: string; content_hash: string; state: string }[];
    expect(stored).toMatchObject([{ name: 'kitti tiny', content_hash: out.content_hash, state: 'ready' }]);
  });

  it('without --json prints one line with the counts and the hash', async () => {
    const dir = path.join(temp, 'plain');
    const json = await makeGoodDataset(dir, 2);
    const run = await runOdra(['import', '--dataset', dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^plain \\(coco\\): 2 images, ${json.annotations.length} boxes, 80 categories; content hash [0-9a-f]{64}\\n$`));
  });

  it.each(['truncated JPEG', 'invalid JSON: bare word as a value', 'annotation on an unknown image'])(
    '%s: exit 2, stderr names the file and the problem, store unchanged',
    async (name) => {
      const brokenCase = BROKEN_CASES.find((c) => c.name === name)!;
      const slug = name.replace(/\W+/g, '-');
      const db = path.join(temp, `${slug}.db`);
      const engine = new Engine({ dbPath: db });
      await engine.close();
      const before = readStore(db);
      const dir = path.join(temp, slug);
      const expected = await brokenCase.make(dir, await makeGoodDataset(dir));
      const run = await runOdra(['import', '--dataset', dir, '--db', db, '--json']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(expected.file);
      expect(run.stderr).toMatch(expected.problem);
      expect(run.stdout).toBe('');
      expect(readStore(db)).toEqual(before);
    },
  );

  it.each([
    [['import'], /--dataset is required/],
    [['import', '--dataset', 'd', '--format', 'pascal'], /--format must be one of/],
    [['import', '--dataset', 'd', '--bogus'], /Unknown option '--bogus'/],
  ])('bad arguments %j exit 2', async (args, problem) => {
    const run = await runOdra(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(problem);
  });

  it('a folder that does not exist exits 2 naming it', async () => {
    const missing = path.join(temp, 'no-such-folder');
    const run = await runOdra(['import', '--dataset', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
  });
});
