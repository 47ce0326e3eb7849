import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKind, regularFileProblem } from '../../../../src/platform/node/files';

describe('regularFileProblem', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'odra-files-'));
    await writeFile(path.join(dir, 'a.txt'), 'a');
    await symlink(path.join(dir, 'a.txt'), path.join(dir, 'link.txt'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('accepts regular files and links to them', async () => {
    expect(await regularFileProblem(path.join(dir, 'a.txt'))).toBeNull();
    expect(await regularFileProblem(path.join(dir, 'link.txt'))).toBeNull();
  });

  it('names folders, FIFOs, devices and missing paths without opening them', async () => {
    expect(await regularFileProblem(dir)).toBe('is a folder, not a file');
    expect(await regularFileProblem(path.join(dir, 'pipe'))).toBe('is a FIFO (named pipe), not a regular file');
    expect(await regularFileProblem('/dev/zero')).toBe('is a character device, not a regular file');
    expect(await regularFileProblem(path.join(dir, 'nothing'))).toBe('does not exist');
    expect(await fileKind(path.join(dir, 'pipe'))).toBe('fifo');
  });
});
