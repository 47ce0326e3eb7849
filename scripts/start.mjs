#!/usr/bin/env node
/**
 * `npm start`: build everything, make sure Electron and the Electron build of
 * better-sqlite3 are there (scripts/prepare-electron.mjs), then run the built app
 * with the Electron binary. Arguments after `--` go to the app.
 *
 *   npm start                 build, prepare, run
 *   npm start -- --no-build   run what out/ already holds
 *   npm start -- --browser    browser mode (odra serve) instead of the desktop app
 *
 * Where Electron cannot be had (an offline machine: its binary is a download), it falls
 * back to browser mode and prints the local URL to open.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareElectron } from './prepare-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const browser = args.includes('--browser');
const appArgs = args.filter((a) => a !== '--no-build' && a !== '--browser');

function serveInBrowserMode(reason) {
  if (reason) console.error(`[start] the desktop app is not available here (${reason}); starting browser mode instead`);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'odra.mjs'), 'serve', ...appArgs], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

function npm(...npmArgs) {
  // Under `npm start`, npm_execpath is npm's own CLI: no shell needed on Windows.
  const npmCli = process.env.npm_execpath;
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, ...npmArgs], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', npmArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!skipBuild) npm('run', 'build');
let electronReady = !browser;
if (electronReady) {
  try {
    await prepareElectron(root);
  } catch (err) {
    electronReady = false;
    serveInBrowserMode(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
} else {
  serveInBrowserMode(null);
}
if (electronReady) runElectron();

function runElectron() {
  // node_modules/electron exports the binary's path (read from path.txt at require time).
  const electronBinary = createRequire(import.meta.url)('electron');
  const env = { ...process.env };
  // Set, it would make Electron behave as plain Node and ignore the app.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electronBinary, ['.', ...appArgs], { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (!child.killed) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
