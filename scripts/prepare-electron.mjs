#!/usr/bin/env node
/**
 * Gets a checkout ready to run Odra under Electron without touching what the system
 * Node uses (tests, the CLI):
 *
 * 1. The Electron binary. package.json's allowScripts disables electron's postinstall
 *    download, so its install.js is run here when node_modules/electron/path.txt is
 *    missing (needs network once; @electron/get caches the zip).
 * 2. better-sqlite3 for Electron's ABI. better-sqlite3 is not ABI-stable and
 *    node_modules holds the system-Node build, so the package is copied to
 *    build/electron-native/node_modules/better-sqlite3 and rebuilt there with
 *    @electron/rebuild (a prebuilt download through prebuild-install when one exists,
 *    else node-gyp against Electron's headers, which needs Python and a C++ toolchain).
 *    stamp.json records what it was built for; Electron main reads it and hands the
 *    binary to the engine (ODRA_SQLITE_BINDING), and electron-builder.yml ships it.
 *    Skipped when the stamp matches this Electron version, platform, arch and
 *    better-sqlite3 version.
 *
 * Usage: node scripts/prepare-electron.mjs [--no-binary] [--force]
 *   --no-binary  skip step 1 (packaging: electron-builder fetches its own Electron)
 *   --force      rebuild better-sqlite3 even when the stamp matches
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NATIVE_DIR = path.join('build', 'electron-native');
export const SQLITE_BINDING = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** What the Electron build of better-sqlite3 must match to be reused. */
export function expectedStamp(root, platform = process.platform, arch = process.arch) {
  return {
    electron: readJson(path.join(root, 'node_modules/electron/package.json')).version,
    platform,
    arch,
    betterSqlite3: readJson(path.join(root, 'node_modules/better-sqlite3/package.json')).version,
    binding: SQLITE_BINDING,
  };
}

/** True when `stampText` (stamp.json's content, or null) describes `expected` exactly. */
export function isStampCurrent(stampText, expected) {
  if (stampText === null) return false;
  let stamp;
  try {
    stamp = JSON.parse(stampText);
  } catch {
    return false;
  }
  if (typeof stamp !== 'object' || stamp === null) return false;
  return Object.keys(expected).every((key) => stamp[key] === expected[key]);
}

/**
 * Copies a package for an out-of-tree rebuild: sources only, without its build
 * output, its prebuilds and nested node_modules (the Node build must not come along).
 */
export function copyPackageForRebuild(from, to) {
  const skip = new Set(['build', 'prebuilds', 'node_modules', 'bin'].map((d) => path.join(from, d)));
  rmSync(to, { recursive: true, force: true });
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, filter: (src) => !skip.has(src) });
}

/**
 * Runs electron's own install.js when the binary is missing. Its output (on an offline
 * machine, @electron/get's stack trace) goes to build/electron-install.log, not to the
 * terminal: a failure is one line saying what happened, where the details are and how to
 * retry (npm start then falls back to browser mode).
 */
export function ensureElectronBinary(root) {
  const dir = path.join(root, 'node_modules/electron');
  if (existsSync(path.join(dir, 'path.txt'))) return;
  console.log('[prepare-electron] downloading the Electron binary (node_modules/electron/install.js)');
  const result = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(path.join(dir, 'path.txt'))) {
    const log = path.join(root, 'build', 'electron-install.log');
    mkdirSync(path.dirname(log), { recursive: true });
    writeFileSync(log, `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`);
    throw new Error(
      `Electron could not be downloaded (offline, or ELECTRON_SKIP_BINARY_DOWNLOAD set?; details in ${path.relative(root, log)}); ` +
        `retry with: node ${path.join('node_modules', 'electron', 'install.js')}`,
    );
  }
}

export async function buildSqliteForElectron(root, { force = false } = {}) {
  const dir = path.resolve(root, NATIVE_DIR);
  const stampFile = path.join(dir, 'stamp.json');
  const expected = expectedStamp(root);
  const stampText = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : null;
  if (!force && isStampCurrent(stampText, expected) && existsSync(path.join(dir, SQLITE_BINDING))) {
    console.log(`[prepare-electron] better-sqlite3 for Electron ${expected.electron} is up to date`);
    return path.join(dir, SQLITE_BINDING);
  }
  console.log(
    `[prepare-electron] building better-sqlite3 ${expected.betterSqlite3} for Electron ${expected.electron} ` +
      `(${expected.platform}-${expected.arch}) in ${NATIVE_DIR}`,
  );
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      { name: 'odra-electron-native', private: true, dependencies: { 'better-sqlite3': expected.betterSqlite3 } },
      null,
      2,
    ),
  );
  copyPackageForRebuild(path.join(root, 'node_modules/better-sqlite3'), path.join(dir, 'node_modules/better-sqlite3'));

  const { rebuild } = await import('@electron/rebuild');
  const run = rebuild({
    buildPath: dir,
    // Stops the module search at build/electron-native: the project's own
    // node_modules (the Node build) must never be rebuilt.
    projectRootPath: dir,
    electronVersion: expected.electron,
    platform: expected.platform,
    arch: expected.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
  run.lifecycle.on('module-found', (name) => console.log(`[prepare-electron] rebuilding ${name}`));
  await run;

  const binding = path.join(dir, SQLITE_BINDING);
  if (!existsSync(binding)) throw new Error(`the rebuild finished but ${binding} is missing`);
  writeFileSync(stampFile, `${JSON.stringify({ ...expected, builtAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`[prepare-electron] ${path.relative(root, binding)}`);
  return binding;
}

export async function prepareElectron(root, { binary = true, force = false } = {}) {
  if (binary) ensureElectronBinary(root);
  return buildSqliteForElectron(root, { force });
}

const invokedDirectly = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  const args = new Set(process.argv.slice(2));
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  prepareElectron(root, { binary: !args.has('--no-binary'), force: args.has('--force') }).catch((err) => {
    console.error(`[prepare-electron] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
