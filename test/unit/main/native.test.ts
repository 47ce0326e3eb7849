import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseSqliteBinding, type BindingContext } from '../../../src/main/native';

const appPath = path.resolve('/app');
const dir = path.join(appPath, 'build/electron-native');
const binding = path.join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const stamp = {
  electron: '41.7.1',
  platform: 'linux',
  arch: 'x64',
  betterSqlite3: '12.11.1',
  binding: 'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
};

function context(files: Record<string, string>, over: Partial<BindingContext> = {}): BindingContext {
  return {
    isPackaged: false,
    appPath,
    resourcesPath: path.resolve('/res'),
    electronVersion: '41.7.1',
    platform: 'linux',
    arch: 'x64',
    sqliteVersion: '12.11.1',
    readText: (file) => files[file] ?? null,
    exists: (file) => file in files,
    ...over,
  };
}

describe('chooseSqliteBinding', () => {
  const ok = { [path.join(dir, 'stamp.json')]: JSON.stringify(stamp), [binding]: '' };

  it('uses the Electron build when the stamp matches this Electron, platform, arch and version', () => {
    expect(chooseSqliteBinding(context(ok))).toEqual({ binding });
  });

  it('refuses a build for another Electron, arch or better-sqlite3 version, saying how to fix it', () => {
    for (const over of [{ electronVersion: '42.0.0' }, { arch: 'arm64' }, { sqliteVersion: '12.12.0' }]) {
      const choice = chooseSqliteBinding(context(ok, over));
      expect(choice.binding).toBeNull();
      expect('problem' in choice && choice.problem).toMatch(/prepare-electron/);
    }
  });

  it('reports a missing or broken stamp and a missing binary', () => {
    expect(chooseSqliteBinding(context({})).binding).toBeNull();
    expect(chooseSqliteBinding(context({ [path.join(dir, 'stamp.json')]: '{oops' })).binding).toBeNull();
    expect(chooseSqliteBinding(context({ [path.join(dir, 'stamp.json')]: JSON.stringify(stamp) })).binding).toBeNull();
  });

  it('never follows a stamp that points outside its folder', () => {
    const evil = { ...stamp, binding: '../../../etc/evil.node' };
    const files = { [path.join(dir, 'stamp.json')]: JSON.stringify(evil), [path.resolve(dir, evil.binding)]: '' };
    expect(chooseSqliteBinding(context(files)).binding).toBeNull();
  });

  it('uses the shipped resource in a packaged app', () => {
    const shipped = path.join(path.resolve('/res'), 'native/better_sqlite3.node');
    expect(chooseSqliteBinding(context({ [shipped]: '' }, { isPackaged: true }))).toEqual({ binding: shipped });
    expect(chooseSqliteBinding(context({}, { isPackaged: true })).binding).toBeNull();
  });
});
