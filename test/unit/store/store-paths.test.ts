import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/engine/store/database';
import { OdraError } from '../../../src/shared/errors';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';

function refusal(file: string): OdraError {
  try {
    openDatabase(file).close();
  } catch (err) {
    if (err instanceof OdraError) return err;
    throw err;
  }
  throw new Error(`${file} was opened as a store`);
}

describe('openDatabase on paths that cannot be a store', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('store-paths');
  });
  afterAll(async () => {
    await chmod(path.join(temp, 'locked'), 0o755).catch(() => undefined);
    await removeDir(temp);
  });

  it.each([
    ['a folder', async (t: string) => t, /it is a folder; give a file name inside it \(e\.g\. .*odra\.db\)/],
    ['a text file', async (t: string) => (await writeFile(path.join(t, 'notes.db'), 'col_a,col_b\n'), path.join(t, 'notes.db')), /it is not an Odra store \(not an SQLite database\)/],
    ['a file in a missing folder', async (t: string) => path.join(t, 'missing', 'odra.db'), /its folder .*missing does not exist/],
    ['a FIFO', async (t: string) => (execFileSync('mkfifo', [path.join(t, 'pipe.db')]), path.join(t, 'pipe.db')), /it is a FIFO \(named pipe\), not a regular file/],
  ])('%s: BAD_INPUT naming the path and the problem', async (_what, make, problem) => {
    const file = await make(temp);
    const err = refusal(file);
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(new RegExp(`^the store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be used: `));
    expect(err.message).toMatch(problem);
  });

  // root writes through read-only permissions, so this can only be seen as another user
  it.skipIf(process.getuid?.() === 0)('a read-only folder: BAD_INPUT saying so', async () => {
    const dir = path.join(temp, 'locked');
    await mkdir(dir);
    await chmod(dir, 0o555);
    expect(refusal(path.join(dir, 'odra.db')).message).toMatch(/read-only|cannot open or create it there/);
  });

  it('opens a new store and reopens it', () => {
    const file = path.join(temp, 'good.db');
    openDatabase(file).close();
    openDatabase(file).close();
  });
});
