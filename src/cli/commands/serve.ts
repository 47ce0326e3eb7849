import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../engine/engine';
import { startWebServer } from '../../engine/host/web-server';
import { backpressureLimits, type BackpressureLimits } from '../../engine/host/backpressure';
import { usageError } from '../cli-error';
import { OdraError } from '../../shared/errors';
import { regularFileProblem } from '../../platform/node/files';

export const SERVE_USAGE = 'odra serve [--port N] [--db FILE] [--high-water SIZE] [--low-water SIZE] [--hard-limit SIZE]';

export function defaultDbPath(): string {
  const dir = path.join(os.homedir(), '.odra');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, 'odra.db');
}

/** out/renderer next to the built CLI (out/node/cli.js), or from the repo root in development. */
export function rendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../renderer');
}

/** --port: digits only, 0 (any free port) to 65535; '' or '8o80' are refused, not read as 0. */
export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(port >= 0 && port <= 65535)) throw usageError(`--port must be a number from 0 to 65535 (0: any free port); got "${value}"`);
  return port;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size flag: bytes, or a number with K, M or G (binary, optional "iB"/"B": 16M = 16MiB = 16 * 2^20 bytes). */
export function parseSize(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(value.trim());
  const bytes = match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw usageError(`${flag} takes a size above 0 such as 16M, 512K or 1G (binary units); got "${value}"`);
  return bytes;
}

/**
 * The WebSocket backpressure flags over the defaults (web-server.ts, backpressure.ts):
 * a client that stops reading is paused at --high-water, read again at --low-water,
 * disconnected past --hard-limit.
 */
export function backpressureFlags(values: { 'high-water'?: string; 'low-water'?: string; 'hard-limit'?: string }): BackpressureLimits {
  const given: Partial<BackpressureLimits> = {};
  if (values['high-water'] !== undefined) given.highWater = parseSize(values['high-water'], '--high-water');
  if (values['low-water'] !== undefined) given.lowWater = parseSize(values['low-water'], '--low-water');
  if (values['hard-limit'] !== undefined) given.hardLimit = parseSize(values['hard-limit'], '--hard-limit');
  return backpressureLimits(given, { highWater: '--high-water', lowWater: '--low-water', hardLimit: '--hard-limit' });
}

/** listen()'s refusals in one line each. */
export function listenProblem(err: unknown, port: number): OdraError | null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new OdraError('BAD_INPUT', `port ${port} on 127.0.0.1 is already in use: choose another --port, or 0 for any free port`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new OdraError('BAD_INPUT', `port ${port} needs privileges this user does not have${port < 1024 ? ' (ports below 1024)' : ''}: choose a --port from 1024 to 65535, or 0`);
  }
  if (code === 'EADDRNOTAVAIL') return new OdraError('BAD_INPUT', '127.0.0.1 is not available on this machine (no loopback interface?)');
  return null;
}

/**
 * Browser mode serves the built renderer (out/renderer). Right after `npm ci` only the
 * CLI is built (the prepare script); then one line says what to run.
 */
async function requireRenderer(dir: string): Promise<void> {
  if ((await regularFileProblem(path.join(dir, 'index.html'))) === null) return;
  throw new OdraError('UNSUPPORTED', `the app's pages are not built yet (${path.join(dir, 'index.html')} is missing): run "npm run build" in the Odra folder, then odra serve again`);
}

export async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      db: { type: 'string' },
      'high-water': { type: 'string' },
      'low-water': { type: 'string' },
      'hard-limit': { type: 'string' },
    },
    strict: true,
  });
  const port = parsePort(values.port);
  const backpressure = backpressureFlags(values);
  const dbPath = values.db ?? defaultDbPath();
  const renderer = rendererDir();
  await requireRenderer(renderer);
  const engine = new Engine({ dbPath });
  let server;
  try {
    server = await startWebServer(engine, { port, rendererDir: renderer, backpressure });
  } catch (err) {
    await engine.close();
    throw listenProblem(err, port) ?? err;
  }
  process.stdout.write(`Odra is serving at ${server.url}\n(store: ${dbPath}; bound to 127.0.0.1 only; press Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await engine.close();
}
