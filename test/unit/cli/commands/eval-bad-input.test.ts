import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../src/engine/engine';
import { inProcessClient } from '../../../../src/engine/rpc/in-process';
import { BROKEN_CASES, dumpStore, makeGoodDataset, makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { sharedPath } from '../../../helpers/shared';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';

/** One JSON problem, one image problem, one syntax error: the rest go through the engine only. */
const CLI_CASES = ['bbox with 1e999 (parses to Infinity)', 'truncated JPEG', 'invalid JSON: trailing comma before ]'];

function readStore(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return dumpStore(db);
  } finally {
    db.close();
  }
}

describe.concurrent('odra eval on a broken dataset', () => {
  let temp: string;
  const model = sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx');

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli-broken');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  /** A store file that already holds a good dataset. */
  async function storeWithDataset(name: string): Promise<string> {
    const file = path.join(temp, `${name}.db`);
    const engine = new Engine({ dbPath: file });
    try {
      const dir = path.join(temp, `${name}-good`);
      await makeGoodDataset(dir, 2);
      await inProcessClient(engine).call('datasets.import', { dir });
    } finally {
      await engine.close();
    }
    return file;
  }

  it.each(CLI_CASES)('%s: exit 2, stderr names the file and the problem, store unchanged', async (name) => {
    const brokenCase = BROKEN_CASES.find((c) => c.name === name);
    if (!brokenCase) throw new Error(`no broken case named "${name}"`);
    const slug = name.replace(/\W+/g, '-');
    const db = await storeWithDataset(slug);
    const dir = path.join(temp, slug);
    const expected = await brokenCase.make(dir, await makeGoodDataset(dir));
    const before = readStore(db);
    expect(before.datasets).toHaveLength(1);

    const run = await runOdra(['eval', '--model', model, '--dataset', dir, '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(expected.file);
    expect(run.stderr).toMatch(expected.problem);
    expect(run.stderr).toMatch(/^odra: /m);
    expect(run.stdout).toBe('');
    expect(readStore(db)).toEqual(before);
  });

  it('--json does not change that: nothing on stdout, exit 2', async () => {
    const dir = path.join(temp, 'json-flag');
    const json = await makeGoodDataset(dir);
    const expected = await BROKEN_CASES.find((c) => c.name === 'duplicate annotation ids')!.make(dir, json);
    const run = await runOdra(['eval', '--model', model, '--dataset', dir, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(expected.problem);
    expect(run.stdout).toBe('');
  });

  it('a missing model file exits 2 naming it', async () => {
    const dir = path.join(temp, 'for-missing-model');
    await makeGoodDataset(dir, 1);
    const missing = path.join(temp, 'no-such-model.onnx');
    const run = await runOdra(['eval', '--model', missing, '--dataset', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
  });

  it.each([
    [['eval', '--model', 'm.onnx'], /--model and --dataset are required/],
    [['eval', '--model', 'm.onnx', '--dataset', 'd', '--adapter', 'resnet'], /--adapter must be one of/],
    [['eval', '--model', 'm.onnx', '--dataset', 'd', '--threads', '0'], /--threads must be a positive integer/],
  ])('bad arguments %j exit 2', async (args, problem) => {
    const run = await runOdra(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(problem);
  });
});
