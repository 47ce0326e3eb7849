import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGoodDataset, makeTempDir, removeDir } from '../../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../../helpers/odra-cli';
import { sharedPath } from '../../../helpers/shared';

/** Every path under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('odra works offline', () => {
  let temp: string;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('cli-offline');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('an evaluation writes nothing under the home folder (onnxruntime telemetry off, even when the environment asks for it)', async () => {
    const home = path.join(temp, 'home');
    const dataset = path.join(temp, 'one-image');
    await makeGoodDataset(dataset, 1);
    await mkdir(home);
    const run = await runOdra(
      ['eval', '--model', sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'), '--dataset', dataset, '--db', path.join(temp, 'odra.db'), '--json'],
      { env: { HOME: home, XDG_CACHE_HOME: '', ORT_DISABLE_TELEMETRY: '0' } },
    );
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(await tree(home)).toEqual([]);
  });
});
