/**
 * Running the real `odra` command (bin/odra.mjs -> out/node/cli.js) from tests.
 *
 * The bundle is rebuilt when any source it is made from is newer than it. Test files
 * run in parallel and the build empties out/node first, so the build is serialised by
 * a lock folder, and the staleness is checked again once the lock is held: the second
 * file to arrive finds the bundle fresh and does not rebuild it under the first one.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, watch } from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
export const ODRA_BIN = path.join(ROOT, 'bin', 'odra.mjs');
const BUNDLE = path.join(ROOT, 'out', 'node', 'cli.js');
const LOCK = path.join(ROOT, 'out', '.odra-cli-build.lock');
const INPUTS = ['src/cli', 'src/engine', 'src/platform', 'src/shared', 'vite.node.config.ts', 'package.json'];

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

const LOCK_STALE_MS = 120_000;

/**
 * Runs `fn` holding the lock folder. While another run holds it, waits for the lock's
 * parent folder to change (the holder removing the lock) instead of polling on a clock;
 * a lock older than LOCK_STALE_MS is a killed run's and is removed.
 */
async function withBuildLock<T>(fn: () => T): Promise<T> {
  const parent = path.dirname(LOCK);
  mkdirSync(parent, { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  let wake: (() => void) | null = null;
  let changed = false;
  // watching starts before the first attempt, so a release between attempt and wait is not missed
  const watcher = watch(parent, () => {
    changed = true;
    wake?.();
  });
  try {
    for (;;) {
      changed = false;
      try {
        mkdirSync(LOCK);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const lockedAt = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > LOCK_STALE_MS) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited 2 minutes for ${LOCK}; remove it if no build is running`);
      if (changed) continue;
      // the next change of the folder, or the moment the lock would turn stale or the wait end
      const until = Math.min(deadline, lockedAt + LOCK_STALE_MS) - Date.now() + 1;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, until));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    watcher.close();
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
