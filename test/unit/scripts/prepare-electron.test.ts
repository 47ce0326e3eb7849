import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPackageForRebuild, expectedStamp, isStampCurrent } from '../../../scripts/prepare-electron.mjs';

describe('expectedStamp', () => {
  it('names the installed Electron and better-sqlite3 versions', async () => {
    const root = process.cwd();
    const stamp = expectedStamp(root, 'linux', 'x64');
    const electron = JSON.parse(await readFile(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as {
      version: string;
    };
    expect(stamp.electron).toBe(electron.version);
    expect(stamp.betterSqlite3).toMatch(/^\d+\.\d+\.\d+/);
    expect(stamp.binding).toBe('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  });
});

describe('isStampCurrent', () => {
  const expected = { electron: '41.7.1', platform: 'linux', arch: 'x64', betterSqlite3: '12.11.1', binding: 'b.node' };
  it('matches only an identical build (extra fields such as builtAt are fine)', () => {
    expect(isStampCurrent(JSON.stringify({ ...expected, builtAt: 'now' }), expected)).toBe(true);
    expect(isStampCurrent(JSON.stringify({ ...expected, electron: '41.7.0' }), expected)).toBe(false);
    expect(isStampCurrent(JSON.stringify({ ...expected, arch: 'arm64' }), expected)).toBe(false);
    expect(isStampCurrent(JSON.stringify({ ...expected, betterSqlite3: '12.11.0' }), expected)).toBe(false);
    expect(isStampCurrent('not json', expected)).toBe(false);
    expect(isStampCurrent(null, expected)).toBe(false);
  });
});

describe('copyPackageForRebuild', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'odra-prepare-'));
    const pkg = path.join(tmp, 'src', 'better-sqlite3');
    for (const dir of ['lib', 'src', 'deps/sqlite3', 'build/Release', 'prebuilds', 'node_modules/x']) {
      await mkdir(path.join(pkg, dir), { recursive: true });
    }
    await writeFile(path.join(pkg, 'package.json'), '{"name":"better-sqlite3"}');
    await writeFile(path.join(pkg, 'binding.gyp'), '{}');
    await writeFile(path.join(pkg, 'lib', 'index.js'), '');
    await writeFile(path.join(pkg, 'src', 'better_sqlite3.cpp'), '');
    await writeFile(path.join(pkg, 'deps', 'sqlite3', 'sqlite3.c'), '');
    await writeFile(path.join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'node-abi');
    await writeFile(path.join(pkg, 'node_modules', 'x', 'index.js'), '');
    // A stale copy at the destination must not survive.
    await mkdir(path.join(tmp, 'dest', 'build', 'Release'), { recursive: true });
    await writeFile(path.join(tmp, 'dest', 'build', 'Release', 'better_sqlite3.node'), 'stale');
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('copies the sources and leaves the Node build, prebuilds and nested modules behind', () => {
    const dest = path.join(tmp, 'dest');
    copyPackageForRebuild(path.join(tmp, 'src', 'better-sqlite3'), dest);
    for (const kept of ['package.json', 'binding.gyp', 'lib/index.js', 'src/better_sqlite3.cpp', 'deps/sqlite3/sqlite3.c']) {
      expect(existsSync(path.join(dest, kept)), kept).toBe(true);
    }
    for (const dropped of ['build', 'prebuilds', 'node_modules']) {
      expect(existsSync(path.join(dest, dropped)), dropped).toBe(false);
    }
    expect(existsSync(path.join(tmp, 'src', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  });
});
