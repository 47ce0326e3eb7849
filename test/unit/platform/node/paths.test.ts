import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside, isInsideOrAt, realPathInside } from '../../../../src/platform/node/paths';

describe('isInside / isInsideOrAt', () => {
  it('accept paths below the root and refuse escapes', () => {
    expect(isInside('/data/root', '/data/root/a/b.png')).toBe(true);
    expect(isInside('/data/root', '/data/root/../other/b.png')).toBe(false);
    expect(isInside('/data/root', '/data/rootless/b.png')).toBe(false);
    expect(isInside('/data/root', '/etc/passwd')).toBe(false);
    expect(isInsideOrAt('/data/root', '/data/root/a')).toBe(true);
    expect(isInsideOrAt('/data/root', '/data/other')).toBe(false);
  });

  it('differ only on the root itself', () => {
    expect(isInside('/data/root', '/data/root')).toBe(false);
    expect(isInsideOrAt('/data/root', '/data/root')).toBe(true);
  });
});

describe('realPathInside', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'odra-paths-'));
    await mkdir(path.join(dir, 'root'));
    await writeFile(path.join(dir, 'root', 'in.png'), 'x');
    await writeFile(path.join(dir, 'secret.png'), 'x');
    await symlink(path.join(dir, 'secret.png'), path.join(dir, 'root', 'link.png'));
    await symlink(path.join(dir, 'root'), path.join(dir, 'root-link'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('returns the real path of a file below the real root', async () => {
    expect(await realPathInside(path.join(dir, 'root', 'in.png'), path.join(dir, 'root'))).toEqual({
      ok: true,
      path: path.join(dir, 'root', 'in.png'),
    });
    // a symlinked root resolves to the same real folder
    expect(await realPathInside(path.join(dir, 'root-link', 'in.png'), path.join(dir, 'root-link'))).toMatchObject({ ok: true });
  });

  it('refuses a symlink that leaves the root, and reports missing files', async () => {
    expect(await realPathInside(path.join(dir, 'root', 'link.png'), path.join(dir, 'root'))).toEqual({ ok: false, reason: 'outside' });
    expect(await realPathInside(path.join(dir, 'root', 'none.png'), path.join(dir, 'root'))).toEqual({ ok: false, reason: 'missing' });
  });
});
