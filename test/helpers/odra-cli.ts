/**
 * Running the real `odra` command (bin/odra.mjs -> out/node/cli.js) from tests.
 *
 * The bundle is rebuilt when any source it is made from is newer than it. Test files
 * run in parallel and the build empties out/node first, so the build is serialised by
 * a lock folder, and the staleness is checked again once the lock is held: the second
 * file to arrive finds the bundle fresh and does not rebuild it under the first one.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
export const ODRA_BIN = path.join(ROOT, 'bin', 'odra.mjs');
const BUNDLE = path.join(ROOT, 'out', 'node', 'cli.js');
const LOCK = path.join(ROOT, 'out', '.odra-cli-build.lock');
const INPUTS = ['src/cli', 'src/engine', 'src/shared', 'vite.node.config.ts', 'package.json'];

function newestMtime(entry: string): number {
  const s = statSync(entry);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

function bundleIsFresh(): boolean {
  let built: number;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    return false;
  }
  return INPUTS.every((p) => newestMtime(path.join(ROOT, p)) <= built);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function withBuildLock<T>(fn: () => T): Promise<T> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // a lock left by a killed run: a build takes seconds, not minutes
      const lockedAt = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 2 minutes for ${LOCK}; remove it if no build is running`);
      await sleep(100);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds out/node (vite.node.config.ts) unless it is newer than every source. */
export async function ensureCliBuilt(): Promise<void> {
  if (bundleIsFresh()) return;
  await withBuildLock(() => {
    if (bundleIsFresh()) return;
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.node.config.ts', '--logLevel', 'error'], {
        cwd: ROOT,
        stdio: 'pipe',
        env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
      // the errors come first, the bundler's stack trace last
      const output = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '').slice(0, 4000);
      throw new Error(`building the odra CLI (vite build --config vite.node.config.ts) failed:\n${output || e.message}`);
    }
  });
  if (!bundleIsFresh()) throw new Error(`${BUNDLE} is still older than the sources after a build`);
}

export interface OdraRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/odra.mjs ...args`; never throws for a non-zero exit. */
export function runOdra(args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<OdraRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [ODRA_BIN, ...args],
      { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`odra ${args.join(' ')} did not exit normally (${err.signal ?? err.code ?? err.message}):\n${stderr}`));
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}
