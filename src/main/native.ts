/**
 * Which better-sqlite3 binary the engine loads. better-sqlite3 is not ABI-stable, and
 * node_modules holds the build for the system Node (tests, CLI). For Electron,
 * scripts/prepare-electron.mjs builds a second copy for Electron's ABI into
 * build/electron-native/ and records it in stamp.json; packaging ships that binary as
 * an extra resource (native/better_sqlite3.node). The engine host receives its path
 * in ODRA_SQLITE_BINDING (better-sqlite3's `nativeBinding` option).
 */
import path from 'node:path';

export const ELECTRON_NATIVE_DIR = 'build/electron-native';
export const PACKAGED_SQLITE_BINDING = 'native/better_sqlite3.node';

export interface NativeStamp {
  electron: string;
  platform: string;
  arch: string;
  /** the better-sqlite3 version whose sources were built: its JS and binary must match */
  betterSqlite3: string;
  /** relative to the stamp's folder */
  binding: string;
}

export function parseStamp(text: string): NativeStamp | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Record<string, unknown>;
  const fields = ['electron', 'platform', 'arch', 'betterSqlite3', 'binding'] as const;
  if (!fields.every((f) => typeof s[f] === 'string')) return null;
  return {
    electron: String(s.electron),
    platform: String(s.platform),
    arch: String(s.arch),
    betterSqlite3: String(s.betterSqlite3),
    binding: String(s.binding),
  };
}

export interface BindingContext {
  isPackaged: boolean;
  appPath: string;
  resourcesPath: string;
  electronVersion: string;
  platform: string;
  arch: string;
  /** version of node_modules/better-sqlite3 (its JS is what loads the binary) */
  sqliteVersion: string | null;
  readText: (file: string) => string | null;
  exists: (file: string) => boolean;
}

export type BindingChoice = { binding: string } | { binding: null; problem: string };

export function chooseSqliteBinding(ctx: BindingContext): BindingChoice {
  if (ctx.isPackaged) {
    const binding = path.join(ctx.resourcesPath, PACKAGED_SQLITE_BINDING);
    return ctx.exists(binding)
      ? { binding }
      : { binding: null, problem: `${binding} is missing: the package was built without scripts/prepare-electron.mjs` };
  }
  const dir = path.join(ctx.appPath, ELECTRON_NATIVE_DIR);
  const text = ctx.readText(path.join(dir, 'stamp.json'));
  const stamp = text === null ? null : parseStamp(text);
  const fix = 'run `node scripts/prepare-electron.mjs`';
  if (!stamp) return { binding: null, problem: `no Electron build of better-sqlite3 in ${dir}; ${fix}` };
  if (stamp.electron !== ctx.electronVersion || stamp.platform !== ctx.platform || stamp.arch !== ctx.arch) {
    return {
      binding: null,
      problem:
        `better-sqlite3 in ${dir} was built for Electron ${stamp.electron} ${stamp.platform}-${stamp.arch}, ` +
        `this is Electron ${ctx.electronVersion} ${ctx.platform}-${ctx.arch}; ${fix}`,
    };
  }
  if (ctx.sqliteVersion !== null && stamp.betterSqlite3 !== ctx.sqliteVersion) {
    return {
      binding: null,
      problem: `better-sqlite3 in ${dir} is ${stamp.betterSqlite3}, node_modules has ${ctx.sqliteVersion}; ${fix}`,
    };
  }
  const binding = path.resolve(dir, stamp.binding);
  if (!binding.startsWith(dir + path.sep) || !ctx.exists(binding)) {
    return { binding: null, problem: `${binding} is missing; ${fix}` };
  }
  return { binding };
}
