import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';

describe.concurrent('odra demo-data', () => {
  let temp: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('demo-cli');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('writes the COCO layout and prints its summary as JSON', async () => {
    const out = path.join(temp, 'set');
    const run = await runOdra(['demo-data', '--out', out, '--images', '3', '--seed', '9', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { images: number; seed: number; width: number; height: number; annotations: number };
    expect(summary).toMatchObject({ images: 3, seed: 9, width: 640, height: 384 });
    expect(summary.annotations).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual(['annotations.json', 'images']);
    expect(readdirSync(path.join(out, 'images')).sort()).toEqual(['demo_000000.jpg', 'demo_000001.jpg', 'demo_000002.jpg']);
  });

  it('exits 2 on a bad count or seed', async () => {
    for (const args of [['--images', '0'], ['--images', 'many'], ['--seed=-1'], ['--seed', '4294967296']]) {
      const run = await runOdra(['demo-data', '--out', path.join(temp, 'never'), ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/must be an integer/);
    }
    const missing = await runOdra(['demo-data', '--images', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out is required/);
  });

  it('exits 2 naming the folder when it holds other files, and writes nothing there', async () => {
    const out = path.join(temp, 'busy');
    await runOdra(['demo-data', '--out', out, '--images', '1']);
    await writeFile(path.join(out, 'notes.txt'), 'mine');
    const run = await runOdra(['demo-data', '--out', out, '--images', '1', '--force']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(out);
    expect(run.stderr).toMatch(/not a demo set/);
    expect(readdirSync(out).sort()).toEqual(['annotations.json', 'images', 'notes.txt']);
  });
});
